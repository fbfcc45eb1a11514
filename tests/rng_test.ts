import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { Rng } from "../src/random/rng.ts";
import { erf } from "../src/numerics/erf.ts";

const N_SAMPLES = 1_000_000;
// Standard errors at 1e6 samples: mean 1e-3, variance √2·1e-3, fourth moment
// √96·1e-3 ≈ 1e-2; tolerances are five of them, so a correct sampler fails
// with probability < 1e-6 (and the seed is fixed anyway).
const MEAN_TOL = 5e-3;
const VAR_TOL = 7e-3;
const KURT_TOL = 5e-2;

Deno.test("Rng.normal() has the moments of N(0, 1) within five standard errors", () => {
  const rng = new Rng(42);
  const xs = new Float64Array(N_SAMPLES);
  rng.fillNormal(xs);
  let m1 = 0, m2 = 0, m4 = 0;
  for (const x of xs) {
    m1 += x;
    m2 += x * x;
    m4 += x ** 4;
  }
  assertAlmostEquals(m1 / N_SAMPLES, 0, MEAN_TOL);
  assertAlmostEquals(m2 / N_SAMPLES, 1, VAR_TOL);
  assertAlmostEquals(m4 / N_SAMPLES, 3, KURT_TOL);
});

Deno.test("Rng.normal() matches the normal CDF, tails included (Kolmogorov distance)", () => {
  const rng = new Rng(7);
  const xs = new Float64Array(200_000);
  rng.fillNormal(xs);
  xs.sort();
  let d = 0;
  for (let i = 0; i < xs.length; i++) {
    const cdf = 0.5 * (1 + erf(xs[i] / Math.SQRT2));
    d = Math.max(d, Math.abs(cdf - (i + 0.5) / xs.length));
  }
  // The 99.9% quantile of the Kolmogorov statistic is 1.95/√n.
  assert(d < 1.95 / Math.sqrt(xs.length), `Kolmogorov distance ${d}`);
  // The ziggurat's tail branch (|x| > 3.44) is exercised: P ≈ 5.8e-4.
  const tail = xs.filter((x) => Math.abs(x) > R_EDGE).length / xs.length;
  assertAlmostEquals(tail, 5.77e-4, 2e-4);
});
const R_EDGE = 3.442619855899;

Deno.test("Rng is reproducible for a seed and differs across seeds", () => {
  const a = new Rng(1), b = new Rng(1), c = new Rng(2);
  const sa = [a.uniform(), a.normal(), a.int32()];
  assertEquals([b.uniform(), b.normal(), b.int32()], sa);
  assert(c.uniform() !== sa[0]);
});
