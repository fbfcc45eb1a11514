/**
 * How many dimensions a curve fills, layer by layer: the principal components of its
 * points (Poole et al. 2016, Fig. 3), measured and predicted.
 *
 * Measured: the Gram matrix of the centred points (one network), its top eigenvectors as
 * the curve's coordinates in its own best 3-D view. The eigensolver is O(M³), so the PCA
 * takes M ≤ 256 points spread evenly along θ (≈ 0.1 s a layer; 500 would take 0.5 s).
 *
 * Predicted: for a wide network the Gram matrix of points equally spaced on the great circle
 * is N q* c_l(θ_i − θ_j), a circulant, whose eigenvectors are Fourier modes and whose
 * eigenvalues are the Fourier coefficients of c_l(Δθ), iterated by the correlation map from
 * c_0 = cos Δθ (src/signal). Centring removes the constant mode. Each frequency comes as a
 * (cos, sin) pair; in the ordered phase the first pair holds nearly all the variance (the
 * circle stays a circle), in the chaotic one it spreads over many (a space-filling curve).
 *
 * @module
 */
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { correlationMap, qStar } from "../signal/fixed_point.ts";
import type { MeanField } from "../signal/maps.ts";

/** The most points one PCA takes. */
export const PCA_POINTS = 256;

/** `m` indices spread evenly over 0…points−1 (all of them when points ≤ m). */
export function evenIndices(points: number, m = PCA_POINTS): number[] {
  const k = Math.min(points, m);
  return Array.from({ length: k }, (_, j) => Math.floor((j * points) / k));
}

export interface CurvePca {
  /** the share of variance of each of the top `components` principal components */
  readonly fractions: number[];
  /** the three leading unit eigenvectors over the chosen points (to align the next layer's signs) */
  readonly vectors: Float64Array[];
  /** per chosen point, its coordinates on the top three components, in units of √(|h|²/N) */
  readonly coords: [number, number, number][];
}

/**
 * PCA of the rows `idx` of h (rows of `n` floats). `previous` (the last layer's vectors)
 * fixes each component's sign so the animated view does not flip between layers.
 */
export function curvePca(
  h: Float32Array,
  n: number,
  idx: readonly number[],
  components: number,
  previous?: readonly Float64Array[],
): CurvePca {
  const m = idx.length;
  const mean = new Float64Array(n);
  for (const p of idx) for (let i = 0; i < n; i++) mean[i] += h[p * n + i] / m;
  const x = idx.map((p) => Float64Array.from({ length: n }, (_, i) => h[p * n + i] - mean[i]));
  const g = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let s = r; s < m; s++) {
      let d = 0;
      const xr = x[r], xs = x[s];
      for (let i = 0; i < n; i++) d += xr[i] * xs[i];
      g[r * m + s] = g[s * m + r] = d / n;
    }
  }
  const { values, vectors } = symmetricEigen(g, m, true);
  let total = 0;
  for (const v of values) total += Math.max(0, v);
  const fractions: number[] = [];
  for (let k = 0; k < Math.min(components, m); k++) {
    fractions.push(Math.max(0, values[m - 1 - k]) / total);
  }
  const top: Float64Array[] = [];
  for (let k = 0; k < Math.min(3, m); k++) {
    const u = vectors!.slice((m - 1 - k) * m, (m - k) * m);
    const prev = previous?.[k];
    if (prev) {
      let d = 0;
      for (let j = 0; j < m; j++) d += u[j] * prev[j];
      if (d < 0) { for (let j = 0; j < m; j++) u[j] = -u[j]; }
    }
    top.push(u);
  }
  const scale = top.map((_, k) => Math.sqrt(Math.max(0, values[m - 1 - k])));
  const coords = Array.from(
    { length: m },
    (_, j) => [0, 1, 2].map((k) => (top[k] ? scale[k] * top[k][j] : 0)) as [number, number, number],
  );
  return { fractions, vectors: top, coords };
}

/**
 * The mean-field share of variance of the top `components` principal components of `m`
 * equally spaced points of the great circle, at layers 0…depth (the module note).
 */
export function pcaTheory(
  mf: MeanField,
  depth: number,
  m: number,
  components: number,
): number[][] {
  const q = qStar(mf);
  if (q === null || q <= 0) throw new RangeError("the great circle needs a fixed point q* > 0");
  const f = correlationMap(mf, q);
  const half = Math.floor(m / 2);
  // c_l at Δθ = 2πj/m, j = 0…m/2 (the kernel is even in Δθ)
  let c = Array.from({ length: half + 1 }, (_, j) => Math.cos((2 * Math.PI * j) / m));
  const out: number[][] = [];
  for (let l = 0; l <= depth; l++) {
    if (l > 0) c = c.map((x, j) => (j === 0 ? 1 : Math.min(1, f(x).value)));
    const kernel = (j: number) => c[Math.min(j, m - j)];
    const lambda: number[] = [];
    for (let k = 1; k < m; k++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += kernel(j) * Math.cos((2 * Math.PI * k * j) / m);
      lambda.push(Math.max(0, s));
    }
    const total = lambda.reduce((a, b) => a + b, 0);
    out.push(lambda.sort((a, b) => b - a).slice(0, components).map((v) => v / total));
  }
  return out;
}
