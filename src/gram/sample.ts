/**
 * Sampled Gram spectra: Y = f(WX) with W_ij ~ N(0, σw²/n0), X_ij ~ N(0, σx²), and the
 * eigenvalues of M = YYᵀ/m (n1 × n1), float64.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import type { GramActivation } from "./invariants.ts";

/** The shape of one layer's Gram matrix: W is n1 × n0 of variance σw²/n0, X n0 × m of σx². */
export interface GramSize {
  readonly n0: number;
  readonly n1: number;
  readonly m: number;
  readonly sigmaW2: number;
  readonly sigmaX2: number;
}

/** Y = f(WX), row-major n1 × m, for fresh W and X. */
export function sampleFeatures(
  f: GramActivation,
  { n0, n1, m, sigmaW2, sigmaX2 }: GramSize,
  rng: Rng,
): Float64Array {
  const w = new Float64Array(n1 * n0);
  const sw = Math.sqrt(sigmaW2 / n0);
  for (let i = 0; i < w.length; i++) w[i] = sw * rng.normal();
  const x = new Float64Array(n0 * m);
  const sx = Math.sqrt(sigmaX2);
  for (let i = 0; i < x.length; i++) x[i] = sx * rng.normal();
  const y = new Float64Array(n1 * m);
  for (let r = 0; r < n1; r++) {
    for (let k = 0; k < n0; k++) {
      const wrk = w[r * n0 + k];
      for (let c = 0; c < m; c++) y[r * m + c] += wrk * x[k * m + c];
    }
  }
  for (let i = 0; i < y.length; i++) y[i] = f.f(y[i]);
  return y;
}

/** M = YYᵀ/m (n1 × n1) of features Y (n1 × m). */
export function gram(y: Float64Array, n1: number, m: number): Float64Array {
  const g = new Float64Array(n1 * n1);
  for (let r = 0; r < n1; r++) {
    for (let c = r; c < n1; c++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += y[r * m + k] * y[c * m + k];
      g[r * n1 + c] = g[c * n1 + r] = s / m;
    }
  }
  return g;
}

/** The eigenvalues of M = YYᵀ/m for fresh W, X (ascending). */
export function sampleGramSpectrum(f: GramActivation, size: GramSize, rng: Rng): Float64Array {
  return symmetricEigen(gram(sampleFeatures(f, size, rng), size.n1, size.m), size.n1).values;
}
