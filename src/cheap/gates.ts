/**
 * Cheap multiplication, built by hand (Lin, Tegmark & Rolnick 2017, §III; Rolnick & Tegmark
 * 2018): the four-neuron gate, the one-hidden-layer product of n inputs with 2ⁿ neurons, and
 * the deep binary tree of gates with 4(n − 1) — each as real weights, evaluated as a net.
 *
 * Why the gate works: σ(a) + σ(−a) keeps σ's even Taylor terms, so
 * σ(λ(x+y)) + σ(−λ(x+y)) − σ(λ(x−y)) − σ(−λ(x−y)) = 4σ''(0)λ²xy + (σ''''(0)/6)·4λ⁴xy(x²+y²) + …
 * and dividing by 4σ''(0)λ² leaves xy with relative error (σ''''/6σ'')λ²(x² + y²).
 * The 2ⁿ-neuron product Σ_s (Π sᵢ) σ(b + λ s·x) over s ∈ {±1}ⁿ keeps, of σ's Taylor series
 * at b, only the terms odd in every xᵢ: the first is 2ⁿσ⁽ⁿ⁾(b)λⁿ Πxᵢ, the next (degree
 * n + 2, as n + 1 has the wrong parity) 2ⁿσ⁽ⁿ⁺²⁾(b)λⁿ⁺² Πxᵢ Σxᵢ²/6.
 *
 * @module
 */
import type { Activation } from "./activations.ts";

/** One hidden layer: out = Σ_k a_k σ(W_k·x + b_k) + c. W is row-major (neurons × inputs). */
export interface ShallowNet {
  readonly inputs: number;
  readonly neurons: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
  readonly a: Float64Array;
  c: number;
}

export function evalShallow(net: ShallowNet, sigma: (u: number) => number, x: ArrayLike<number>) {
  let out = net.c;
  for (let k = 0; k < net.neurons; k++) {
    let u = net.b[k];
    for (let i = 0; i < net.inputs; i++) u += net.W[k * net.inputs + i] * x[i];
    out += net.a[k] * sigma(u);
  }
  return out;
}

/**
 * The four-neuron gate as a two-input net (bias 0: needs σ''(0) ≠ 0). Where σ''(0) = 0 there
 * is no 1/(4σ''(0)λ²) to scale by: the output weights are ±1, the bare four-neuron sum.
 */
export function multiplicationGate(act: Activation, lambda: number): ShallowNet {
  const s2 = act.derivative(2, 0);
  const scale = s2 === 0 ? 1 : 1 / (4 * s2 * lambda * lambda);
  return {
    inputs: 2,
    neurons: 4,
    W: Float64Array.of(lambda, lambda, -lambda, -lambda, lambda, -lambda, -lambda, lambda),
    b: new Float64Array(4),
    a: Float64Array.of(scale, scale, -scale, -scale),
    c: 0,
  };
}

/**
 * The gate's relative error to leading order at small λ: (σ''''(0)/(6σ''(0)))λ²(x² + y²);
 * its largest over the box [−r, r]² is at a corner, x² + y² = 2r².
 */
export function gateTaylorError(act: Activation, lambda: number, x: number, y: number): number {
  return act.derivative(4, 0) / (6 * act.derivative(2, 0)) * lambda * lambda * (x * x + y * y);
}

/**
 * The bias of the 2ⁿ-neuron product: where |σ⁽ⁿ⁾| is largest on [0, 3]. At b = 0 softplus's
 * odd derivatives past the first vanish (softplus(u) − u/2 is even), so odd n needs a shift.
 */
export function productBias(act: Activation, n: number): number {
  let best = 0, bestValue = -1;
  for (let b = 0; b <= 3 + 1e-9; b += 0.01) {
    const v = Math.abs(act.derivative(n, b));
    if (v > bestValue) [best, bestValue] = [b, v];
  }
  return Math.round(best * 100) / 100;
}

/** x1⋯xn with one hidden layer of 2ⁿ neurons, one per sign vector s. */
export function shallowProduct(act: Activation, n: number, lambda: number): ShallowNet {
  const m = 2 ** n;
  const bias = productBias(act, n);
  const norm = 1 / (m * act.derivative(n, bias) * lambda ** n);
  const W = new Float64Array(m * n), a = new Float64Array(m);
  let constant = 0;
  for (let k = 0; k < m; k++) {
    let sign = 1;
    for (let i = 0; i < n; i++) {
      const s = (k >> i) & 1 ? -1 : 1;
      W[k * n + i] = lambda * s;
      sign *= s;
    }
    a[k] = sign * norm;
    constant += a[k] * act.f(bias);
  }
  // Σ_s Πs = 0, so the constant is rounding only; subtracting it keeps x = 0 exact
  return { inputs: n, neurons: m, W, b: new Float64Array(m).fill(bias), a, c: -constant };
}

/** Leading relative error of the 2ⁿ product: σ⁽ⁿ⁺²⁾(b)λ²Σxᵢ²/(6σ⁽ⁿ⁾(b)). */
export function shallowTaylorError(act: Activation, n: number, lambda: number, sumSquares: number) {
  const b = productBias(act, n);
  return act.derivative(n + 2, b) / (6 * act.derivative(n, b)) * lambda * lambda * sumSquares;
}

/** A binary tree over the inputs: a leaf is an input's index, a node multiplies its two children. */
export type Tree = number | readonly [Tree, Tree];

/** The balanced tree over inputs lo..hi−1 (depth ⌈log₂ n⌉, n − 1 gates). */
export function balancedTree(lo: number, hi: number): Tree {
  if (hi - lo === 1) return lo;
  const mid = lo + Math.ceil((hi - lo) / 2);
  return [balancedTree(lo, mid), balancedTree(mid, hi)];
}

export function gateCount(tree: Tree): number {
  return typeof tree === "number" ? 0 : 1 + gateCount(tree[0]) + gateCount(tree[1]);
}

export function treeDepth(tree: Tree): number {
  return typeof tree === "number" ? 0 : 1 + Math.max(treeDepth(tree[0]), treeDepth(tree[1]));
}

/** The deep product: every node of the tree is a copy of `gate`; 4(n − 1) neurons. */
export function evalTree(
  tree: Tree,
  gate: (x: number, y: number) => number,
  x: ArrayLike<number>,
): number {
  return typeof tree === "number"
    ? x[tree]
    : gate(evalTree(tree[0], gate, x), evalTree(tree[1], gate, x));
}

/**
 * The deep product's leading relative error at the box's corners (every gate's inputs ±1):
 * each gate adds its own (σ''''/6σ'')·2λ², and a gate passes its inputs' relative errors on
 * unchanged to first order (it is bilinear), so they add: (n − 1)·σ''''λ²/(3σ'').
 */
export function treeTaylorError(act: Activation, n: number, lambda: number): number {
  return (n - 1) * gateTaylorError(act, lambda, 1, 1);
}

/**
 * Largest relative error |f(x) − Πxᵢ| / |Πxᵢ| over `points` (n-vectors, flattened): where
 * the product is 0 the ratio is 0/0, so the points keep every |xᵢ| ≥ a floor (see boxPoints).
 */
export function maxRelativeError(
  f: (x: Float64Array) => number,
  n: number,
  points: Float64Array,
): number {
  let worst = 0;
  for (let p = 0; p < points.length; p += n) {
    const x = points.subarray(p, p + n);
    let prod = 1;
    for (let i = 0; i < n; i++) prod *= x[i];
    worst = Math.max(worst, Math.abs(f(x) - prod) / Math.abs(prod));
  }
  return worst;
}

/**
 * Points in the box [−1, 1]ⁿ: its 2ⁿ corners (where the error is largest) and `count` uniform
 * draws with every |xᵢ| ≥ 0.05 (so the relative error is not 0/0).
 */
export function boxPoints(n: number, count: number, uniform: () => number): Float64Array {
  const corners = Math.min(2 ** n, 256);
  const out = new Float64Array((corners + count) * n);
  for (let k = 0; k < corners; k++) {
    for (let i = 0; i < n; i++) out[k * n + i] = (k >> i) & 1 ? -1 : 1;
  }
  for (let p = corners * n; p < out.length; p++) {
    const u = 0.05 + 0.95 * uniform();
    out[p] = uniform() < 0.5 ? -u : u;
  }
  return out;
}
