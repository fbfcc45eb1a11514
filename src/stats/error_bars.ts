/**
 * Monte Carlo error bars: the mean of independent draws and its standard error
 * s/√n (s the unbiased standard deviation), what a simulated point beside a
 * theoretical curve should carry.
 *
 * @module
 */

export interface MeanError {
  readonly mean: number;
  /** standard error of the mean; NaN for fewer than two values */
  readonly stderr: number;
  readonly n: number;
}

export function meanAndError(values: ArrayLike<number>): MeanError {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  return { mean, stderr: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN, n };
}

/** The median (the mean of the middle two for an even count); NaN when empty. */
export function median(values: ArrayLike<number>): number {
  const v = Float64Array.from(values).sort();
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/**
 * Means of `batches` consecutive batches of a correlated series (a Markov chain's samples):
 * batches much longer than the autocorrelation time are nearly independent, so meanAndError
 * of these gives an honest error bar where one over the raw samples would be too small.
 * A remainder shorter than a batch is left out.
 */
export function batchMeans(x: ArrayLike<number>, batches: number): number[] {
  const size = Math.floor(x.length / batches);
  return Array.from({ length: batches }, (_, b) => {
    let s = 0;
    for (let k = b * size; k < (b + 1) * size; k++) s += x[k];
    return s / size;
  });
}
