/**
 * The critical-gain science (src/gain) against independent references: the gain grid's
 * construction, the mean field at gain g against direct quadrature, the orthogonal start's
 * W Wᵀ = g² I, and a short training run.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { gainGrid, gainMeanField, trainGain } from "../src/gain/critical_gain.ts";
import { SimdMlp } from "../src/compute/simd_mlp.ts";
import { trainabilityData } from "../src/trainability/data.ts";
import { Rng } from "../src/random/rng.ts";

Deno.test("gainGrid: g = 1 among the gains, ends kept, geometric on each side", () => {
  const g = gainGrid(0.8, 2.5, 7);
  assertEquals(g.length, 7);
  assertAlmostEquals(g[0], 0.8, 1e-15);
  assertAlmostEquals(g[6], 2.5, 1e-12);
  assert(g.includes(1), `${g}`);
  // above 1: a constant ratio (2.5^(1/5))
  for (let k = 2; k < 7; k++) {
    assertAlmostEquals(g[k] / g[k - 1], 2.5 ** (1 / 5), 1e-12, `ratio ${k}`);
  }
  // not straddling 1: one geometric grid
  const h = gainGrid(1.5, 6, 3);
  assertAlmostEquals(h[1], 3, 1e-12);
});

/** E f(z), z ~ N(0, 1), by the trapezoid rule on [−12, 12]: an independent quadrature */
const gaussMean = (f: (z: number) => number) => {
  const n = 24000, h = 24 / n;
  let s = 0;
  for (let k = 0; k <= n; k++) {
    const z = -12 + k * h;
    s += (k === 0 || k === n ? 0.5 : 1) * f(z) * Math.exp(-z * z / 2);
  }
  return s * h / Math.sqrt(2 * Math.PI);
};

Deno.test("gainMeanField: χ1 = g² below 1; past it q* = g² E tanh²(√q* z) and χ1 = g² E sech⁴", () => {
  for (const g of [0.5, 0.8, 1]) {
    const m = gainMeanField(g);
    assertAlmostEquals(m.chi1, g * g, 1e-12, `g ${g}`);
    assertEquals(m.q_star, 0);
  }
  for (const g of [1.2, 2, 2.5]) {
    const m = gainMeanField(g), q = m.q_star!;
    const s = Math.sqrt(q);
    // the trapezoid rule on a smooth, rapidly decaying integrand is exact to ≈ 1e-13 here; the
    // pipeline's Gauss–Hermite rule converges slowly where tanh's poles (z = iπ/2√q*) come near
    // the real line: at q* ≈ 4 it is good to ≈ 2e-7 on tanh² and ≈ 5e-6 on sech⁴, hence 1e-5
    assertAlmostEquals(q, g * g * gaussMean((z) => Math.tanh(s * z) ** 2), 1e-5, `q* at g ${g}`);
    assertAlmostEquals(
      m.chi1,
      g * g * gaussMean((z) => Math.cosh(s * z) ** -4),
      1e-5,
      `χ1 at g ${g}`,
    );
    assert(m.chi1 > 1 && m.phase === "chaotic", `g ${g}: ${m.chi1}`);
  }
});

Deno.test("SimdMlp with orthogonalGain: each layer's W Wᵀ (or WᵀW) is g² I", async () => {
  const g = 1.3;
  const net = await SimdMlp.create(
    {
      inputs: 12,
      outputs: 3,
      width: 8,
      depth: 2,
      sigma_w2: 1,
      sigma_b2: 0,
      batch: 2,
      orthogonalGain: g,
    },
    new Rng(4),
  );
  // B = Wᵀ is nIn × nOut (padded to 4): the Gram of the fewer of rows and columns is g² I
  for (const [l, [nIn, nOut]] of [[12, 8], [8, 8], [8, 3]].entries()) {
    const { w, nOut: stride } = net.parameters()[l];
    const fewer = Math.min(nIn, nOut);
    for (let a = 0; a < fewer; a++) {
      for (let b = 0; b < fewer; b++) {
        let dot = 0;
        // nOut ≤ nIn: columns of B (rows of W) orthogonal; else rows of B
        for (let k = 0; k < (nOut <= nIn ? nIn : nOut); k++) {
          dot += nOut <= nIn
            ? w[k * stride + a] * w[k * stride + b]
            : w[a * stride + k] * w[b * stride + k];
        }
        assertAlmostEquals(dot, a === b ? g * g : 0, 1e-5, `layer ${l}: (${a}, ${b})`); // float32 storage
      }
    }
  }
});

Deno.test("trainGain: a short run past g = 1 learns (curve every 10 steps, threshold reached)", async () => {
  const data = trainabilityData();
  const run = trainGain(
    { g: 1.2, depth: 4, width: 32, steps: 200, lr: 0.02, batch: 16, threshold: 1.5 },
    data,
    new Rng(2),
    () => Promise.resolve(),
  );
  const curve: number[] = [];
  let r = await run.next();
  while (!r.done) {
    curve.push(r.value.loss);
    r = await run.next();
  }
  assertEquals(curve.length, 20);
  // ln 10 ≈ 2.3 is chance: a 4-layer net at this gain falls well below it in 200 steps
  assert(curve[0] > curve.at(-1)!, `${curve[0]} → ${curve.at(-1)}`);
  assert(
    r.value.steps_to_threshold !== null && r.value.steps_to_threshold >= 50,
    `${r.value.steps_to_threshold}`,
  );
  assert(
    r.value.test_error !== null && r.value.test_error < 0.5,
    `held-out error ${r.value.test_error}`,
  );
});
