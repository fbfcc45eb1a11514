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
import { HaarOrthogonal } from "../random/haar.ts";
import { matmul } from "../numerics/matmul.ts";
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import type { CriticalPoint } from "./critical_point.ts";
import type { Weights } from "./moments.ts";

/**
 * One layer's weights W, as what the layer needs of them: W M (W x is M one column wide). Gaussian:
 * N(0, σw²/N) entries, multiplied densely. Orthogonal: √σw² times a Haar orthogonal kept as
 * Householder reflectors (src/random/haar.ts), never formed: applying it costs 2N³, where
 * forming it by QR and then multiplying cost 6N³.
 */
interface LayerWeights {
  /** W M, M N × cols row-major: in M's place (orthogonal) or a new array (Gaussian) */
  apply(m: Float64Array, cols: number): Float64Array;
}

function layerWeights(n: number, weights: Weights, sigmaW2: number, rng: Rng): LayerWeights {
  const gain = Math.sqrt(sigmaW2);
  if (weights === "orthogonal") {
    const q = new HaarOrthogonal(n, rng);
    return {
      apply(m, cols) {
        q.applyLeft(m, cols);
        for (let i = 0; i < m.length; i++) m[i] *= gain;
        return m;
      },
    };
  }
  const w = new Float64Array(n * n);
  rng.fillNormal(w, gain / Math.sqrt(n));
  return { apply: (m, cols) => matmul(w, m, n, n, cols) };
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
  let h: Float64Array = new Float64Array(n);
  for (let i = 0; i < n; i++) h[i] = Math.sqrt(p.q_star) * rng.normal();
  let j: Float64Array = new Float64Array(n * n); // J so far, N × N
  for (let i = 0; i < n; i++) j[i * n + i] = 1;
  const maxDepth = depths.at(-1) ?? 0;
  let next = 0;
  for (let l = 1; l <= maxDepth; l++) {
    const w = layerWeights(n, weights, p.sigma_w2, rng);
    // h^l = W φ(h^{l−1}) + b (layer 1 takes h^0 as given pre-activations too)
    const hNext = w.apply(h.map((v) => act.phi(v)), 1);
    const sb = Math.sqrt(p.sigma_b2);
    for (let r = 0; r < n; r++) hNext[r] += sb * rng.normal();
    // J ← W^l D^{l−1} J: the slopes at the previous layer's pre-activations scale J's rows
    for (let r = 0; r < n; r++) {
      const dr = act.dphi(h[r]);
      for (let k = r * n; k < (r + 1) * n; k++) j[k] *= dr;
    }
    j = w.apply(j, n);
    h = hNext;
    if (l === depths[next]) {
      visit(l, symmetricEigen(matmul(j, j, n, n, n, { transB: true }), n).values);
      next++;
    }
  }
}
