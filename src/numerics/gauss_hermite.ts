/**
 * Gauss–Hermite quadrature for the standard Gaussian measure Dz.
 *
 * `E_z f(z) ≈ Σ_i w_i f(z_i)` with z ~ N(0, 1). An n-node rule is exact for
 * polynomials of degree < 2n. THEORY.md §1 suggests about 100 nodes; measured
 * on erf(√q z)², whose closed form is known, 100 nodes leave 3e-10 at q = 2.5
 * and 2e-6 at q = 5, because φ(√q z) steepens as q grows. The default is
 * therefore 180 nodes (1e-15 at q = 2.5, 6e-10 at q = 5; q* stays below 4 for
 * the σw² ≤ 5 this project sweeps). Quadrature is wrong at a kink (ReLU),
 * where the closed forms of `src/signal/activations.ts` are used.
 *
 * @module
 */

/** Nodes and weights of a rule for E over z ~ N(0, 1) (weights sum to 1). */
export interface GaussRule {
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Above about 190 nodes the three-term recurrence at the outermost roots
 * underflows and Newton's method lands on duplicate roots; 180 is checked.
 */
export const MAX_NODES = 180;

/** Default node count for one Gaussian dimension (see the module note). */
export const DEFAULT_NODES = MAX_NODES;

const cache = new Map<number, GaussRule>();

/**
 * The n-node rule. Roots of the orthonormal Hermite polynomials by Newton's
 * method from asymptotic starting guesses (Numerical Recipes §4.5, `gauher`),
 * then rescaled from the physicists' weight e^{-x²} to the probabilists' Dz:
 * z = √2 x and w = w_phys / √π.
 */
export function gaussHermite(n: number = DEFAULT_NODES): GaussRule {
  if (!Number.isInteger(n) || n < 1 || n > MAX_NODES) {
    throw new RangeError(`gaussHermite: n must be an integer in [1, ${MAX_NODES}], got ${n}`);
  }
  const hit = cache.get(n);
  if (hit) return hit;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  const PIM4 = 0.7511255444649425; // π^{-1/4}
  const m = (n + 1) >> 1;
  let z = 0;
  for (let i = 0; i < m; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * Math.pow(2 * n + 1, -0.16667);
    else if (i === 1) z -= (1.14 * Math.pow(n, 0.426)) / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    for (let it = 0; it < 100; it++) {
      let p1 = PIM4;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const z1 = z;
      z = z1 - p1 / pp;
      if (Math.abs(z - z1) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = 2 / (pp * pp);
    w[n - 1 - i] = w[i];
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  const invSqrtPi = 1 / Math.sqrt(Math.PI);
  for (let i = 0; i < n; i++) {
    nodes[i] = Math.SQRT2 * x[n - 1 - i]; // ascending
    weights[i] = w[n - 1 - i] * invSqrtPi;
  }
  const rule = { nodes, weights };
  cache.set(n, rule);
  return rule;
}

/** `E_z f(z)` for z ~ N(0, 1). */
export function expect1(f: (z: number) => number, rule: GaussRule = gaussHermite()): number {
  const { nodes, weights } = rule;
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i] * f(nodes[i]);
  return s;
}

/** `E f(z1, z2)` for independent z1, z2 ~ N(0, 1): the tensor-product rule. */
export function expect2(
  f: (z1: number, z2: number) => number,
  rule: GaussRule = gaussHermite(),
): number {
  const { nodes, weights } = rule;
  let s = 0;
  for (let i = 0; i < nodes.length; i++) {
    let inner = 0;
    for (let j = 0; j < nodes.length; j++) inner += weights[j] * f(nodes[i], nodes[j]);
    s += weights[i] * inner;
  }
  return s;
}
