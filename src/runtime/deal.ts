/**
 * Items of a sweep dealt to the shards that compute it (RunContext.mine), by cost: the
 * longest first, each to the least-loaded shard (LPT: within 4/3 of the best split). Dealing
 * by index or by cost rank alone fails when one item dominates: the gates slide's widest
 * net is a third of its work, and the shard it shared with every other second item took
 * 61% of the whole (×1.5 on 2 workers; this split: ×1.9).
 *
 * @module
 */

/** The shard (0…count−1) of each item; the same for the same costs and count. */
export function dealByCost(costs: readonly number[], count: number): number[] {
  const owner = new Array<number>(costs.length).fill(0);
  const load = new Array<number>(Math.max(1, count)).fill(0);
  const order = costs.map((c, k) => ({ c, k })).sort((a, b) => b.c - a.c || a.k - b.k);
  for (const { c, k } of order) {
    let best = 0;
    for (let s = 1; s < load.length; s++) if (load[s] < load[best]) best = s;
    owner[k] = best;
    load[best] += c;
  }
  return owner;
}
