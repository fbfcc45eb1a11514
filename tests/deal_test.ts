/**
 * dealByCost (src/runtime/deal.ts): every item to one shard, and the most loaded shard within
 * Graham's 4/3 − 1/(3m) of the best split, found here by trying every assignment.
 */
import { assert, assertEquals } from "./assert.ts";
import { dealByCost } from "../src/runtime/deal.ts";
import { Rng } from "../src/random/rng.ts";

/** The least possible largest load, by brute force over count^items assignments. */
function bestMakespan(costs: number[], count: number): number {
  let best = Infinity;
  const load = new Array<number>(count).fill(0);
  const visit = (i: number) => {
    if (i === costs.length) {
      best = Math.min(best, Math.max(...load));
      return;
    }
    for (let s = 0; s < count; s++) {
      load[s] += costs[i];
      if (load[s] < best) visit(i + 1);
      load[s] -= costs[i];
    }
  };
  visit(0);
  return best;
}

Deno.test("dealByCost(): within 4/3 − 1/(3m) of the best split, on random sweeps of 1 to 3 shards", () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const count = 1 + (trial % 3);
    const costs = Array.from(
      { length: 1 + Math.floor(rng.uniform() * 8) },
      () => 1 + 99 * rng.uniform() ** 3,
    );
    const owner = dealByCost(costs, count);
    assert(owner.every((o) => Number.isInteger(o) && o >= 0 && o < count));
    const load = new Array<number>(count).fill(0);
    costs.forEach((c, k) => (load[owner[k]] += c));
    const bound = (4 / 3 - 1 / (3 * count)) * bestMakespan(costs, count);
    assert(Math.max(...load) <= bound + 1e-9, `costs ${costs}, ${count} shards: ${load}`);
  }
});

Deno.test("dealByCost(): the gates slide's nets on 2 workers, the widest alone against the rest", () => {
  // deep trees of blocks 3 and 4, shallow nets of 4…64 (gates_part.ts's costs at n = 6)
  const costs = [21.6, 28.8, 6.4, 12.8, 25.6, 51.2, 102.4];
  const owner = dealByCost(costs, 2);
  const load = [0, 0];
  costs.forEach((c, k) => (load[owner[k]] += c));
  assert(Math.max(...load) / (load[0] + load[1]) < 0.52, `${load}`);
  // by index (k mod 2), the old deal: 0.61 of the work on one worker
  assertEquals(dealByCost(costs, 1), costs.map(() => 0));
});
