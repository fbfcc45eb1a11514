import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  batchMeans,
  binEdges,
  compareToDensity,
  countInBins,
  histogram,
  integrate,
  logspace,
  meanAndError,
  median,
  ticks,
} from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";

Deno.test("binEdges(): equal widths, an edge at 0 when asked, constant ratios on a log axis", () => {
  assertEquals(binEdges(0, 1, { bins: 4 }), [0, 0.25, 0.5, 0.75, 1]);
  const shifted = binEdges(-1, 2, { bins: 4, edgeAtZero: true }); // width 0.75
  assertEquals(shifted.length, 6); // one more bin when shifted
  assert(shifted.some((e) => Math.abs(e) < 1e-12), `an edge at 0: ${shifted}`);
  assert(shifted[0] <= -1 && shifted.at(-1)! >= 2 - 1e-12, "still covers the range");
  const log = binEdges(1e-3, 10, { bins: 4, scale: "log" });
  for (let i = 1; i < log.length; i++) assertAlmostEquals(log[i] / log[i - 1], 10, 1e-9);
  assertThrows(() => binEdges(0, 1, { bins: 4, scale: "log" }), RangeError, "lo > 0");
  assertThrows(() => binEdges(1, 1, { bins: 4 }), RangeError, "hi > lo");
});

Deno.test("countInBins() / histogram(): every value counted once; outliers in the end bins", () => {
  const rng = new Rng(1);
  const values = Array.from({ length: 10_000 }, () => rng.normal());
  values.push(1e6, -1e6); // far outliers
  const bins = histogram(values, { bins: 30 });
  assertEquals(bins.reduce((s, b) => s + b.count, 0), values.length);
  // the 1st–99th percentile range of a standard normal is ±2.33
  assertAlmostEquals(bins[0].lo, -2.33, 0.1);
  assertAlmostEquals(bins.at(-1)!.hi, 2.33, 0.1);
  // a log axis over positive values: equal counts in each decade of a log-uniform sample
  const logUniform = Array.from({ length: 40_000 }, () => 10 ** (4 * rng.uniform() - 2));
  const decades = countInBins(logUniform, binEdges(1e-2, 1e2, { bins: 4, scale: "log" }));
  // binomial sd of a count of 10,000 out of 40,000: 87; 5 sd
  for (const b of decades) assertAlmostEquals(b.count, 10_000, 450);
  assertEquals(histogram([], { bins: 3 }), []);
  const one = histogram([2, 2, 2], { bins: 2 }); // a range of one value widens to ±½
  assertEquals([one[0].lo, one.at(-1)!.hi, one.reduce((s, b) => s + b.count, 0)], [1.5, 2.5, 3]);
});

Deno.test("batchMeans(): consecutive batches, by hand; a remainder shorter than a batch is left out", () => {
  const x = Array.from({ length: 10 }, (_, i) => i + 1); // 1 … 10
  assertEquals(batchMeans(x, 3), [2, 5, 8]); // (1+2+3)/3, (4+5+6)/3, (7+8+9)/3; 10 left out
  assertEquals(batchMeans(x, 2), [3, 8]);
});

Deno.test("meanAndError(): the standard error is s/√n, and covers the true mean as often as it should", () => {
  const e = meanAndError([1, 2, 3, 4]);
  assertEquals(e.mean, 2.5);
  assertAlmostEquals(e.stderr, Math.sqrt(5 / 3 / 4), 1e-12); // s² = 5/3
  assert(Number.isNaN(meanAndError([1]).stderr));
  // 400 experiments of 50 normals: |mean| < 1.96 stderr in ≈ 95% of them (binomial sd 1.1%)
  const rng = new Rng(3);
  let covered = 0;
  for (let k = 0; k < 400; k++) {
    const x = Array.from({ length: 50 }, () => rng.normal());
    const m = meanAndError(x);
    if (Math.abs(m.mean) < 1.96 * m.stderr) covered++;
  }
  assertAlmostEquals(covered / 400, 0.95, 0.04);
  assertEquals(median([3, 1, 2]), 2);
  assertEquals(median([4, 1, 2, 3]), 2.5);
});

Deno.test("integrate() and compareToDensity(): closed forms, and samples against their own density", () => {
  // ∫_0^π sin = 2; ∫ of the standard normal density over ±8 = 1
  assertAlmostEquals(integrate(Math.sin, 0, Math.PI), 2, 1e-12);
  const phi = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  assertAlmostEquals(integrate(phi, -8, 8, 16), 1, 1e-12);
  // normal samples against the normal density: total variation ≈ the sampling noise,
  // ~ √(bins / n) / 2 ≈ 0.02 for 20 bins and 20,000 samples; against a density twice as
  // wide it is large
  const rng = new Rng(5);
  const x = Array.from({ length: 20_000 }, () => rng.normal());
  const same = compareToDensity(x, phi, -4, 4, { bins: 20 });
  assert(same.totalVariation < 0.03, `same density: ${same.totalVariation}`);
  assertAlmostEquals(same.bins.reduce((s, b) => s + b.theory, 0), 1, 1e-4);
  const wide = compareToDensity(x, (v) => phi(v / 2) / 2, -4, 4, { bins: 20 });
  assert(wide.totalVariation > 0.2, `wrong density: ${wide.totalVariation}`);
});

Deno.test("ticks(): evenly spaced, the last step always included", () => {
  const t = ticks(1000, 20);
  assertEquals(t.every, 50);
  const hit = Array.from({ length: 1000 }, (_, i) => i + 1).filter((s) => t.has(s));
  assertEquals(hit.length, 20);
  assertEquals(hit.at(-1), 1000);
  const odd = ticks(7, 3); // every 2: steps 2, 4, 6 and the last, 7
  assertEquals([1, 2, 3, 4, 5, 6, 7].filter((s) => odd.has(s)), [2, 4, 6, 7]);
  assertEquals(ticks(5, 100).every, 1);
});

Deno.test("logspace(): both ends exact, a constant ratio between neighbours", () => {
  const g = logspace(0.01, 1, 13);
  assertEquals(g.length, 13);
  assertEquals([g[0], g[12]], [0.01, 1]);
  for (let k = 1; k < 13; k++) assertAlmostEquals(g[k] / g[k - 1], 100 ** (1 / 12), 1e-12);
});
