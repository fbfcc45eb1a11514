/**
 * Binning for every histogram the pipelines stream (`{lo, hi, count}` rows, the
 * dashboard's histogram panel): equal bins on a linear or a log axis, an optional
 * edge at 0 so negative and positive values never share a bin, and a range taken
 * from quantiles so a few outliers do not squash the rest into one bar.
 *
 * @module
 */

export interface Bin {
  readonly lo: number;
  readonly hi: number;
  count: number;
}

export interface BinOptions {
  /** number of equal bins (one more when shifted to put an edge at 0) */
  readonly bins: number;
  /** equal widths in x (linear) or in log x (log: lo and hi must be > 0) */
  readonly scale?: "linear" | "log";
  /** linear scale: shift the edges so one falls at 0 when the range spans it */
  readonly edgeAtZero?: boolean;
}

/** Bin edges over [lo, hi]. */
export function binEdges(lo: number, hi: number, opts: BinOptions): number[] {
  if (!(hi > lo)) throw new RangeError(`bin range must have hi > lo, got [${lo}, ${hi}]`);
  if (opts.scale === "log") {
    if (!(lo > 0)) throw new RangeError(`log bins need lo > 0, got ${lo}`);
    const r = Math.log(hi / lo) / opts.bins;
    return Array.from({ length: opts.bins + 1 }, (_, i) => lo * Math.exp(i * r));
  }
  const width = (hi - lo) / opts.bins;
  const shift = opts.edgeAtZero && lo < 0 && hi > 0 ? ((-lo) % width) - width : 0;
  const bins = shift === 0 ? opts.bins : opts.bins + 1;
  return Array.from({ length: bins + 1 }, (_, i) => lo + shift + i * width);
}

/**
 * The value at fraction f of sorted (ascending) values, rounding the rank down (`side`
 * "below") or up ("above"): a range [quantile(a, below), quantile(b, above)] covers both.
 */
export function quantileSorted(
  sorted: ArrayLike<number>,
  f: number,
  side: "below" | "above" = "below",
): number {
  const r = f * (sorted.length - 1);
  const i = side === "below" ? Math.floor(r) : Math.ceil(r);
  return sorted[Math.min(sorted.length - 1, Math.max(0, i))];
}

/**
 * Counts of `values` in the bins of `edges` (ascending). Values outside land in the end
 * bins, so every value is counted once.
 */
export function countInBins(values: ArrayLike<number>, edges: readonly number[]): Bin[] {
  const bins = edges.slice(0, -1).map((e, i) => ({ lo: e, hi: edges[i + 1], count: 0 }));
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    let a = 0, b = bins.length - 1; // the last bin whose lo ≤ v (bisection: edges may be log)
    while (a < b) {
      const m = (a + b + 1) >> 1;
      if (edges[m] <= v) a = m;
      else b = m - 1;
    }
    bins[a].count++;
  }
  return bins;
}

/**
 * A histogram of `values` over their [qLo, qHi] quantile range (default 1st–99th; the
 * outliers land in the end bins). A range of one value widens to ±½ (log: ×/÷ 2).
 */
export function histogram(
  values: ArrayLike<number>,
  opts: BinOptions & { readonly quantiles?: readonly [number, number] },
): Bin[] {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return [];
  const [qa, qb] = opts.quantiles ?? [0.01, 0.99];
  let lo = quantileSorted(sorted, qa, "below");
  let hi = quantileSorted(sorted, qb, "above");
  if (!(hi > lo)) {
    [lo, hi] = opts.scale === "log"
      ? [sorted[0] / 2, sorted[sorted.length - 1] * 2]
      : [sorted[0] - 0.5, sorted[sorted.length - 1] + 0.5];
  }
  // an edge shifted to 0 may open an empty bin wholly below the range: not drawn
  return countInBins(sorted, binEdges(lo, hi, opts)).filter((b) => b.hi > lo || b.count > 0);
}
