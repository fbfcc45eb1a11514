/**
 * Sampled end-to-end Jacobians of a deep random network at one input whose pre-activations
 * have length q* (and keep it, layer after layer, at the fixed point): J = ∂h^L/∂h^0 =
 * W^L D^{L−1} ⋯ W^1 D^0 with D^l = diag φ'(h^l) — the same L factors of D and of W as
 * THEORY.md's Π D^l W^l, so the same spectral law — and the eigenvalues of JJᵀ, whose
 * moments and density free probability predicts. Float64, width N: L products of N × N.
 *
 * @module
 */
import type { Activation } from "../signal/activations.ts";
import type { Rng } from "../random/rng.ts";
import { randomOrthogonal } from "../linear/init.ts";
import { matmul } from "../numerics/matmul.ts";
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import type { CriticalPoint } from "./critical_point.ts";
import type { Weights } from "./moments.ts";

/** One layer's weights, row-major N × N: N(0, σw²/N) entries, or √σw² times a Haar orthogonal. */
function layerWeights(n: number, weights: Weights, sigmaW2: number, rng: Rng): Float64Array {
  if (weights === "orthogonal") {
    return randomOrthogonal(n, n, rng).map((x) => Math.sqrt(sigmaW2) * x);
  }
  const w = new Float64Array(n * n);
  const sd = Math.sqrt(sigmaW2 / n);
  for (let i = 0; i < w.length; i++) w[i] = sd * rng.normal();
  return w;
}

/**
 * Eigenvalues of JJᵀ (ascending) after each depth in `depths` (ascending), for one sampled
 * network of width n: `visit(depth, eigenvalues)`.
 */
export function sampleJacobianSpectra(
  act: Activation,
  p: CriticalPoint,
  weights: Weights,
  n: number,
  depths: readonly number[],
  rng: Rng,
  visit: (depth: number, eigenvalues: Float64Array) => void,
): void {
  // x^0: an input whose pre-activations have length q*: h^1 = W x^0 + b has q* on average
  let h = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = Math.sqrt(p.q_star) * rng.normal();
  let j = new Float64Array(n * n); // J so far, N × N
  for (let i = 0; i < n; i++) j[i * n + i] = 1;
  const maxDepth = depths.at(-1) ?? 0;
  let next = 0;
  for (let l = 1; l <= maxDepth; l++) {
    const w = layerWeights(n, weights, p.sigma_w2, rng);
    // h^l = W φ(h^{l−1}) + b (layer 1 takes h^0 as given pre-activations too)
    const x = h.map((v) => act.phi(v));
    const hNext = new Float64Array(n);
    const sb = Math.sqrt(p.sigma_b2);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += w[r * n + c] * x[c];
      hNext[r] = s + sb * rng.normal();
    }
    // J ← D^l W^l D^{l−1}… : the slopes at the previous layer's pre-activations enter W's columns
    const d = h.map((v) => act.dphi(v));
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < n; k++) w[r * n + k] *= d[k];
    }
    j = matmul(w, j, n, n, n);
    h = hNext;
    if (l === depths[next]) {
      visit(l, symmetricEigen(matmul(j, j, n, n, n, { transB: true }), n).values);
      next++;
    }
  }
}
