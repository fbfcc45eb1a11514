/**
 * The activations of the multiplication gate (Lin, Tegmark & Rolnick 2017, §III), with
 * their derivatives of every order at any point, exactly.
 *
 * Why exact: the gate's leading error is σ''''(b)/σ''(b), the 2ⁿ-neuron product's is
 * σ⁽ⁿ⁺²⁾(b)/σ⁽ⁿ⁾(b), and a sixth derivative by finite differences would be noise. Each
 * function here is a polynomial in a "core" g whose own derivative is a polynomial in g
 * (tanh' = 1 − tanh², sigmoid' = s(1 − s), softplus' = sigmoid), so d/du of a polynomial
 * P(g) is P'(g)·g'(g): the chain rule on coefficient arrays, no rounding beyond the sum.
 *
 * @module
 */

/** Polynomial coefficients, lowest power first. */
type Poly = number[];

function derive(p: Poly, gPrime: Poly): Poly {
  const dp: Poly = p.slice(1).map((c, k) => c * (k + 1));
  const out: Poly = new Array(Math.max(0, dp.length + gPrime.length - 1)).fill(0);
  dp.forEach((a, i) => gPrime.forEach((b, j) => (out[i + j] += a * b)));
  return out;
}

function evaluate(p: Poly, g: number): number {
  let s = 0;
  for (let k = p.length - 1; k >= 0; k--) s = s * g + p[k];
  return s;
}

export const ACTIVATIONS = ["softplus", "shifted-tanh", "shifted-sigmoid", "tanh"] as const;
export type ActivationName = typeof ACTIVATIONS[number];

/**
 * The shift of the shifted activations, σ(u) = g(u + SHIFT): off tanh's and the sigmoid's
 * inflection point at 0, where their even derivatives vanish. 0.5 keeps σ''(0) near its
 * largest (tanh'' peaks at u ≈ 0.66, the sigmoid's at ≈ 1.3).
 */
export const SHIFT = 0.5;

export interface Activation {
  readonly name: ActivationName;
  /** σ(u) */
  f(u: number): number;
  /** σ⁽ᵏ⁾(u), k ≥ 0, exact to rounding */
  derivative(k: number, u: number): number;
}

/** 1/(1 + e⁻ᵘ) without overflow for large |u| */
export const sigmoid = (
  u: number,
) => (u >= 0 ? 1 / (1 + Math.exp(-u)) : Math.exp(u) / (1 + Math.exp(u)));
/** ln(1 + eᵘ) without overflow or loss for large |u| */
export const softplus = (u: number) => Math.max(u, 0) + Math.log1p(Math.exp(-Math.abs(u)));

/** derivatives as polynomials in a core g: poly[k] gives the k-th derivative of the function */
function polyDerivatives(start: Poly, gPrime: Poly) {
  const cache: Poly[] = [start];
  return (k: number): Poly => {
    while (cache.length <= k) cache.push(derive(cache[cache.length - 1], gPrime));
    return cache[k];
  };
}

const TANH_PRIME: Poly = [1, 0, -1]; // 1 − t²
const SIGMOID_PRIME: Poly = [0, 1, -1]; // s − s²
const tanhPolys = polyDerivatives([0, 1], TANH_PRIME);
const sigmoidPolys = polyDerivatives([0, 1], SIGMOID_PRIME);

export function activation(name: ActivationName): Activation {
  switch (name) {
    case "softplus":
      return {
        name,
        f: softplus,
        // softplus⁽ᵏ⁾ = sigmoid⁽ᵏ⁻¹⁾ for k ≥ 1
        derivative: (k, u) => (k === 0 ? softplus(u) : evaluate(sigmoidPolys(k - 1), sigmoid(u))),
      };
    case "shifted-tanh":
      return {
        name,
        f: (u) => Math.tanh(u + SHIFT),
        derivative: (k, u) => evaluate(tanhPolys(k), Math.tanh(u + SHIFT)),
      };
    case "shifted-sigmoid":
      return {
        name,
        f: (u) => sigmoid(u + SHIFT),
        derivative: (k, u) => evaluate(sigmoidPolys(k), sigmoid(u + SHIFT)),
      };
    case "tanh":
      return { name, f: Math.tanh, derivative: (k, u) => evaluate(tanhPolys(k), Math.tanh(u)) };
  }
}
