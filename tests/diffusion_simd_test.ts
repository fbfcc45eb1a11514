import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { SimdReverseModel } from "../src/diffusion/simd_model.ts";
import { tanh32 } from "../src/compute/tanh32.ts";
import { SWISS_ROLL, swissRoll } from "../src/diffusion/data.ts";
import { distanceToCurve } from "../src/diffusion/curve_distance.ts";
import { PRESETS, RECIPES, resolveSettings } from "../src/diffusion/presets.ts";
import { Rng } from "../src/random/rng.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { ParamError } from "../src/params/schema.ts";
import { diffusionBatch } from "./helpers/diffusion_batch.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import diffusion from "../pipelines/diffusion.ts";

/**
 * Float32 against float64: the trunk and readout round every product to 2^-24 relative and
 * sum ≲ 100 of them, so per-example KLs and gradients agree to ≈ 1e-6 relative; 1e-4 of
 * the largest gradient entry leaves room for cancellation in small entries.
 */
const RTOL = 1e-4;

for (const kind of ["gaussian", "binomial"] as const) {
  Deno.test(`SimdReverseModel (${kind}): per-example KL and the gradient match the float64 reference`, async () => {
    for (const count of [7, 301]) {
      const { model, theta, batch } = diffusionBatch(kind, count, count);
      const simd = await SimdReverseModel.create(model, theta);
      const grad32 = new Float64Array(model.n);
      const loss = simd.lossAndGrad(batch, grad32);
      const grad64 = new Float64Array(model.n);
      const kl64 = model.kl(theta, batch, grad64);
      const kl32 = simd.kl(batch);
      for (let e = 0; e < count; e++) {
        assertAlmostEquals(kl32[e], kl64[e], RTOL * (Math.abs(kl64[e]) + 1e-3), `example ${e}`);
      }
      assertAlmostEquals(loss, kl64.reduce((a, b) => a + b, 0) / count, RTOL * loss);
      const scale = grad64.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      assert(scale > 0);
      for (let i = 0; i < model.n; i++) {
        assertAlmostEquals(grad32[i], grad64[i], RTOL * scale, `${kind}, ${count} rows, θ_${i}`);
      }
    }
  });
}

Deno.test("SimdReverseModel: its gradient matches central differences of the loss", async () => {
  // An oracle apart from the float64 code's hand-written backward pass: the float64 loss
  // (which the float32 one matches to ≈ 1e-6, above) differenced at h = 1e-5, good to
  // ≈ 1e-9 here; so RTOL of the largest entry again bounds the float32 gradient's error.
  const { model, theta, batch } = diffusionBatch("gaussian", 9, 3);
  const simd = await SimdReverseModel.create(model, theta);
  const grad = new Float64Array(model.n);
  simd.lossAndGrad(batch, grad);
  const f = (th: Float64Array) => model.kl(th, batch).reduce((a, v) => a + v, 0) / 9;
  const scale = grad.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  const rng = new Rng(4);
  for (let k = 0; k < 40; k++) {
    const i = Math.floor(rng.uniform() * model.n);
    const p = theta.slice(), m = theta.slice();
    p[i] += 1e-5;
    m[i] -= 1e-5;
    assertAlmostEquals(grad[i], (f(p) - f(m)) / 2e-5, RTOL * scale, `θ_${i}`);
  }
});

Deno.test("SimdReverseModel: reverse kernels match the float64 model's, and load() takes new weights", async () => {
  for (const kind of ["gaussian", "binomial"] as const) {
    const { model, theta, batch } = diffusionBatch(kind, 11, 5);
    const simd = await SimdReverseModel.create(model, model.init(new Rng(9)));
    simd.load(theta); // after load, the weights are θ's
    for (const t of [2, 7, 12]) {
      const a = simd.reverseAll(batch.xt, t);
      const b = model.at(theta).reverseAll(batch.xt, t);
      for (let i = 0; i < batch.xt.length; i++) {
        assertAlmostEquals(a.mean[i], b.mean[i], RTOL * (Math.abs(b.mean[i]) + 1e-2));
        if (kind === "gaussian") {
          assertAlmostEquals(a.variance[i], b.variance[i], RTOL * b.variance[i]);
        }
      }
    }
  }
});

Deno.test("tanh32() is Math.tanh to float32 precision (within 3e-7, two ulps near ±1)", () => {
  let worst = 0;
  for (let i = 0; i <= 200_000; i++) {
    const x = -12 + (24 * i) / 200_000;
    worst = Math.max(worst, Math.abs(tanh32(x) - Math.tanh(x)));
  }
  assert(worst < 3e-7, `worst ${worst}`);
  assertEquals(tanh32(0), 0);
  assertAlmostEquals(tanh32(1e-6), 1e-6, 1e-12); // relative accuracy near 0 too
});

Deno.test("distanceToCurve(): points on the roll are at 0, points off it at their offset", () => {
  const rng = new Rng(2);
  const on = swissRoll(200, rng);
  // the polyline's chords lie within their sagitta (≤ 1e-4) of the curve
  for (const r of distanceToCurve(SWISS_ROLL, on)) assert(r < 1e-4, `on the roll: ${r}`);
  // a point pushed off along the normal by δ small against the gap between turns (≈ 0.3)
  const off = new Float64Array(2 * 50);
  const delta = 0.02;
  for (let i = 0; i < 50; i++) {
    const u = 0.01 + 0.98 * rng.uniform();
    const [x, y] = SWISS_ROLL.point(u);
    const [x2, y2] = SWISS_ROLL.point(u + 1e-6);
    const len = Math.hypot(x2 - x, y2 - y);
    off[2 * i] = x - (delta * (y2 - y)) / len;
    off[2 * i + 1] = y + (delta * (x2 - x)) / len;
  }
  for (const r of distanceToCurve(SWISS_ROLL, off)) assertAlmostEquals(r, delta, 2e-4);
});

Deno.test("presets: each expands to its documented recipe, explicit params win, unknown ones are named", () => {
  for (const dataset of ["swiss-roll", "heartbeat"] as const) {
    for (const preset of PRESETS) {
      const p = resolveRunParams(diffusion, { dataset, preset });
      const s = resolveSettings(p as Parameters<typeof resolveSettings>[0]);
      const r = RECIPES[dataset][preset];
      assertEquals(
        [s.schedule, s.beta_min, s.beta_max, s.hidden, s.layers, s.train_steps],
        [r.schedule, r.beta_min, r.beta_max, r.hidden, r.layers, r.train_steps],
      );
      assertEquals(s.steps, dataset === "heartbeat" ? 2000 : 40);
    }
  }
  // the documented numbers themselves (docs/pipelines/diffusion.md)
  assertEquals(RECIPES["swiss-roll"].table1, {
    schedule: "geometric",
    beta_min: 1e-5,
    beta_max: 0.3,
    hidden: 64,
    layers: 8,
    train_steps: 30_000,
  });
  assertEquals(RECIPES["swiss-roll"].released.schedule, "paper");
  const p = resolveRunParams(diffusion, { preset: "table1", layers: 4, schedule: "linear" });
  const s = resolveSettings(p as Parameters<typeof resolveSettings>[0]);
  assertEquals([s.layers, s.schedule, s.hidden], [4, "linear", 64]);
  assertThrows(
    () => resolveRunParams(diffusion, { preset: "paper" }),
    ParamError,
    "slide, table1, released",
  );
});

Deno.test("diffusion: a short default-preset run brings noise back toward the roll, and says what it ran", async () => {
  // The slide's claim, loosely and fast: 2,000 of the slide's 6,000 Adam steps (all of them
  // reach a median distance ≈ 0.005, docs/benchmarks.md; the bench holds the tight target).
  // Pure noise sits ≈ 0.3 from the roll; after 2,000 steps the reverse samples' median is
  // 0.019, 0.021, 0.014, 0.033 on seeds 2–5: half of noise's leaves room and still fails an
  // untrained or broken reverse process (0.28 at 1,200 steps, where the learning rate has
  // dropped early). Seed 1 is the one that has not converged by 2,000 steps: 0.09 before the
  // float32 tanh kernel and the sharded step (#28), 0.22 after (its full 6,000: 0.005).
  const rows = await pipelineRows(diffusion, {
    seed: 2,
    train_steps: 2000,
    evals: 1,
    particles: 300,
    test_size: 200,
  }, "slide");
  assertEquals(rows.at(-1)!.status, "ok");
  const setupRow = rows.find((r) => r.stream === "setup")!;
  assertEquals(
    [setupRow.preset, setupRow.schedule, setupRow.layers, setupRow.hidden, setupRow.trainer],
    ["slide", "geometric", 8, 64, "simd-float32"],
  );
  assertAlmostEquals(setupRow.beta_min as number, 1e-5, 1e-12);
  const at0 = (direction: string) =>
    rows.find((r) => r.stream === "entropy" && r.direction === direction && r.t === 0)!
      .median_distance as number;
  const noise = rows.find((r) => r.stream === "entropy" && r.direction === "reverse" && r.t === 40)!
    .median_distance as number;
  assert(noise > 0.2, `noise at t = T: ${noise}`);
  assert(at0("forward") < 0.01, `data at t = 0: ${at0("forward")}`);
  assert(at0("reverse") < noise / 2, `reverse at t = 0: ${at0("reverse")}, noise ${noise}`);
});

Deno.test("diffusion: a diverging run ends with an error row naming lr, keeping what it recorded", async () => {
  // lr 10 on Adam throws the 8 × 64 net's readout far out within a few steps: the variance's
  // sigmoid reaches 0 and the gradient is no longer finite
  const rows = await pipelineRows(diffusion, {
    lr: 10,
    train_steps: 50,
    train_size: 200,
    test_size: 50,
    particles: 20,
  }, "diverge");
  const error = rows.find((r) => r.stream === "error")!;
  assert(String(error.message).includes("diverged"), JSON.stringify(error));
  assertEquals(error.param, "lr");
  assertEquals(rows.at(-1)!.status, "failed");
  // the setup and the first K came before: still there
  assertEquals(rows.filter((r) => r.stream === "setup").length, 1);
  assertEquals(rows.filter((r) => r.stream === "bound")[0].step, 0);
});
