/**
 * The input–output correlations a deep linear net trains on (Saxe et al. 2014):
 * Σ31 = Σ_μ y xᵀ, Σ11 = Σ_μ x xᵀ, tr Σ33, the least-squares floor, the modes of
 * Σ31, and the rate unit that makes λ0 mean the same stability margin on any data.
 *
 * @module
 */
import { cholesky, choleskySolve, largestEigenvalue } from "../numerics/cholesky.ts";
import { matrix, svd } from "../numerics/svd.ts";
import type { Correlations } from "./learning_time.ts";

/** From one-hot items: Σ11 = I, and W_tot = Σ31 fits exactly. */
export function oneHotCorrelations(
  sigma31: Float64Array,
  outputs: number,
  inputs: number,
): Correlations {
  const modes = svd(matrix(outputs, inputs, sigma31));
  return {
    sigma31,
    sigma11: null,
    trace33: sigma31.reduce((s, x) => s + x * x, 0),
    inputs,
    outputs,
    bestLoss: 0,
    modes,
    rateUnit: 1 / (modes.s[0] * modes.s[0]), // λmax(Σ11) = 1 and W* = Σ31
  };
}

/** From examples: x (P × d) and y (P × k), row-major. */
export function exampleCorrelations(
  x: Float64Array,
  y: Float64Array,
  p: number,
  d: number,
  k: number,
): Correlations {
  const s11 = new Float64Array(d * d);
  const s31 = new Float64Array(k * d);
  let trace33 = 0;
  for (let mu = 0; mu < p; mu++) {
    const xm = x.subarray(mu * d, (mu + 1) * d);
    for (let i = 0; i < d; i++) {
      if (xm[i] === 0) continue;
      for (let j = 0; j < d; j++) s11[i * d + j] += xm[i] * xm[j];
    }
    for (let c = 0; c < k; c++) {
      const yc = y[mu * k + c];
      trace33 += yc * yc;
      if (yc !== 0) { for (let j = 0; j < d; j++) s31[c * d + j] += yc * xm[j]; }
    }
  }
  // Pixels that never vary make Σ11 singular; a ridge of 1e-9 of its mean diagonal
  // moves the least-squares floor far less than any threshold used here.
  let trace = 0;
  for (let i = 0; i < d; i++) trace += s11[i * d + i];
  const ridged = s11.slice();
  for (let i = 0; i < d; i++) ridged[i * d + i] += 1e-9 * (trace / d) + 1e-12;
  const l = cholesky(ridged, d);
  let explained = 0; // tr(Σ31 Σ11⁻¹ Σ13): what the best linear map explains
  for (let c = 0; c < k; c++) {
    const row = s31.subarray(c * d, (c + 1) * d);
    const z = choleskySolve(l, d, row);
    for (let j = 0; j < d; j++) explained += row[j] * z[j];
  }
  const modes = svd(matrix(k, d, s31));
  const lambdaMax = largestEigenvalue(s11, d);
  return {
    sigma31: s31,
    sigma11: s11,
    trace33,
    inputs: d,
    outputs: k,
    bestLoss: (trace33 - explained) / 2,
    modes,
    // A layer's curvature is ≈ D λmax(Σ11) g² with g the per-mode strength: 1 at a
    // norm-preserving start, ‖W*‖ ≈ s1/λmax(Σ11) along the strongest mode at the end.
    // (‖Σ31 Σ11⁻¹‖ itself would let Σ11's near-null directions shrink the rate to nothing.)
    rateUnit: 1 / (lambdaMax * Math.max(1, modes.s[0] / lambdaMax) ** 2),
  };
}
