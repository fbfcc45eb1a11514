/**
 * Does the GP know when it is wrong? (Lee et al. 2018, Fig. 3): the held-out digits sorted
 * by predictive variance into bins of equal count, each bin's mean variance beside its mean
 * squared error over the ten outputs.
 *
 * @module
 */
import { CLASSES, targets } from "./regression.ts";

export function calibration(
  variance: Float64Array,
  mean: Float64Array,
  labels: readonly number[],
  bins: number,
): { bin: number; variance: number; error: number }[] {
  const y = targets(labels);
  const order = Array.from(variance.keys()).sort((a, b) => variance[a] - variance[b]);
  const out: { bin: number; variance: number; error: number }[] = [];
  for (let b = 0; b < bins; b++) {
    const lo = Math.floor((b * order.length) / bins),
      hi = Math.floor(((b + 1) * order.length) / bins);
    if (hi <= lo) continue;
    let v = 0, e = 0;
    for (let k = lo; k < hi; k++) {
      const i = order[k];
      v += variance[i];
      for (let c = 0; c < CLASSES; c++) e += (mean[i * CLASSES + c] - y[i * CLASSES + c]) ** 2;
    }
    out.push({ bin: b + 1, variance: v / (hi - lo), error: e / ((hi - lo) * CLASSES) });
  }
  return out;
}
