/**
 * The two baselines an image diffusion model's K is read against (issue #32): densities fitted
 * by maximum likelihood to the training pixels and scored on held-out ones, in bits per pixel,
 * on the same dequantised, scaled x (images.ts):
 *
 *   gaussian:  N(μ, Σ) with the full covariance — every second-order statistic of the patches;
 *   factorial: Π_i N(μ_i, σ_i²) — independent pixels.
 *
 * A model that captures edges and flat regions beats the Gaussian; one that only knows each
 * pixel's spread sits at the factorial line.
 *
 * @module
 */
import { cholesky } from "../numerics/cholesky.ts";

export interface Baseline {
  readonly model: "gaussian" | "factorial";
  /** mean held-out log-likelihood, bits per pixel */
  readonly bits_per_pixel: number;
}

/** Mean and covariance (1/n, the maximum-likelihood estimate) of n × d rows. */
export function moments(x: Float64Array, d: number): { mean: Float64Array; cov: Float64Array } {
  const n = x.length / d;
  const mean = new Float64Array(d), cov = new Float64Array(d * d);
  for (let e = 0; e < n; e++) for (let i = 0; i < d; i++) mean[i] += x[e * d + i] / n;
  const c = new Float64Array(d);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < d; i++) c[i] = x[e * d + i] - mean[i];
    for (let i = 0; i < d; i++) {
      const ci = c[i] / n;
      for (let j = 0; j <= i; j++) cov[i * d + j] += ci * c[j];
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov[j * d + i] = cov[i * d + j];
  return { mean, cov };
}

/**
 * Mean log₂ N(x; μ, Σ) per pixel over the rows of `test` (Σ = L Lᵀ by Cholesky):
 * −½ (d log 2π + log det Σ + ‖L⁻¹(x − μ)‖²) / (d ln 2).
 */
export function gaussianBits(
  mean: Float64Array,
  cov: Float64Array,
  test: Float64Array,
  d: number,
): number {
  const l = cholesky(cov, d);
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += 2 * Math.log(l[i * d + i]);
  const n = test.length / d;
  const z = new Float64Array(d);
  let quad = 0;
  for (let e = 0; e < n; e++) {
    // forward substitution: L z = x − μ
    for (let i = 0; i < d; i++) {
      let s = test[e * d + i] - mean[i];
      for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
      z[i] = s / l[i * d + i];
      quad += z[i] * z[i];
    }
  }
  return -0.5 * (d * Math.log(2 * Math.PI) + logDet + quad / n) / (d * Math.LN2);
}

/** Both baselines fitted on `train`, scored on `test` (rows of d pixels). */
export function baselines(train: Float64Array, test: Float64Array, d: number): Baseline[] {
  const { mean, cov } = moments(train, d);
  const diagonal = new Float64Array(d * d);
  for (let i = 0; i < d; i++) diagonal[i * d + i] = cov[i * d + i];
  return [
    { model: "gaussian", bits_per_pixel: gaussianBits(mean, cov, test, d) },
    { model: "factorial", bits_per_pixel: gaussianBits(mean, diagonal, test, d) },
  ];
}
