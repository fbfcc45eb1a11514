/**
 * Spearman's rank correlation: Pearson's correlation of the ranks, ties given their mean
 * rank (so a tied pair counts as neither order). Used where a slide claims an order (a more
 * typical item is verified sooner), not a line.
 *
 * @module
 */

/** Ranks 1…n of `x`, ties sharing the mean of the ranks they span. */
export function ranks(x: readonly number[]): number[] {
  const order = x.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const r = new Array<number>(x.length);
  for (let k = 0; k < order.length;) {
    let end = k;
    while (end + 1 < order.length && order[end + 1].v === order[k].v) end++;
    const mean = (k + end) / 2 + 1;
    for (let q = k; q <= end; q++) r[order[q].i] = mean;
    k = end + 1;
  }
  return r;
}

/** ρ of x and y (same length ≥ 2); NaN when either is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2) {
    throw new RangeError(`spearman: needs two series of one length ≥ 2 (${x.length}, ${y.length})`);
  }
  const rx = ranks(x), ry = ranks(y), n = x.length;
  const mean = (n + 1) / 2;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i] - mean, b = ry[i] - mean;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}
