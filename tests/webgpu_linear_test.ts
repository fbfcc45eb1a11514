/**
 * The deep linear net on WebGPU (src/linear/gpu_net.ts) against the SIMD-stepped one
 * (fused_net.ts, itself held to the tfjs net in tests/linear_fused_test.ts), and the
 * training-time count on both (the software adapter here; ignored without an adapter).
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { gpu, hasGpu } from "../src/compute/webgpu/device.ts";
import { Rng } from "../src/random/rng.ts";
import { initialWeights } from "../src/linear/init.ts";
import { FusedLinearNet } from "../src/linear/fused_net.ts";
import { GPU_LINEAR_RING, GpuLinearNet } from "../src/linear/gpu_net.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import trainingTime from "../pipelines/training_time.ts";

const ignore = !(await hasGpu());
const opts = { ignore, sanitizeResources: false, sanitizeOps: false };

/** Σ31, Σ11 of p Gaussian inputs through a random teacher, and tr Σ33 (float64). */
function regression(nIn: number, nOut: number, p: number, rng: Rng) {
  const x = new Float64Array(p * nIn), y = new Float64Array(p * nOut);
  rng.fillNormal(x);
  const teacher = new Float64Array(nOut * nIn);
  rng.fillNormal(teacher, 1 / Math.sqrt(nIn));
  for (let e = 0; e < p; e++) {
    for (let k = 0; k < nOut; k++) {
      let s = 0.3 * rng.normal();
      for (let i = 0; i < nIn; i++) s += teacher[k * nIn + i] * x[e * nIn + i];
      y[e * nOut + k] = s;
    }
  }
  const sigma31 = new Float64Array(nOut * nIn), sigma11 = new Float64Array(nIn * nIn);
  let trace33 = 0;
  for (let e = 0; e < p; e++) {
    for (let k = 0; k < nOut; k++) {
      trace33 += y[e * nOut + k] ** 2;
      for (let i = 0; i < nIn; i++) sigma31[k * nIn + i] += y[e * nOut + k] * x[e * nIn + i];
    }
    for (let i = 0; i < nIn; i++) {
      for (let j = 0; j < nIn; j++) sigma11[i * nIn + j] += x[e * nIn + i] * x[e * nIn + j];
    }
  }
  return { sigma31, sigma11, trace33 } as {
    sigma31: Float64Array;
    sigma11: Float64Array;
    trace33: number;
  };
}

// As for the SIMD net against tfjs: both hold float32 weights and sum in different orders,
// ≈ 1e-7 relative a step, under 1e-5 of the loss over 40 well-conditioned steps; a wrong
// transpose or a W_l updated before C_l reads it is O(1) from the first step.
const REL = 1e-4;

for (const withSigma11 of [true, false]) {
  Deno.test(
    `GpuLinearNet steps as FusedLinearNet does (odd sizes, ${
      withSigma11 ? "Σ11 ≠ I" : "one-hot, no Σ11"
    })`,
    opts,
    async () => {
      const rng = new Rng(11);
      const dims = [13, 9, 18, 7, 5];
      const data = regression(13, 5, 40, rng);
      if (!withSigma11) {
        // one-hot items: Σ11 = I, Σ31 holds each item's target (as tests/linear_fused_test.ts)
        rng.fillNormal(data.sigma31);
        data.trace33 = data.sigma31.reduce((s, v) => s + v * v, 0);
      }
      const s11 = withSigma11 ? data.sigma11 : null;
      const w = initialWeights({ dims, init: "gaussian", a0: 1, initStd: 0 }, rng);
      const ref = await FusedLinearNet.create(dims, w, data.sigma31, s11, data.trace33);
      const net = new GpuLinearNet(await gpu(), dims, w, data.sigma31, s11, data.trace33);
      const lr = withSigma11 ? 2e-3 : 5e-3;
      // 40 steps as one ring of 32 and one of 8: the ring's slots and a partial read
      const got = [...await net.steps(lr, GPU_LINEAR_RING), ...await net.steps(lr, 8)];
      const want = Array.from({ length: 40 }, () => ref.step(lr, false).loss);
      want.forEach((a, t) => assertAlmostEquals(got[t], a, REL * Math.abs(a), `loss at step ${t}`));
      assert(want[39] < 0.5 * want[0], `the nets learn (loss ${want[0]} → ${want[39]})`);
      const wa = ref.total(), wb = await net.total();
      for (let i = 0; i < wb.length; i++) assertAlmostEquals(wb[i], wa[i], REL, `W_tot[${i}]`);
      net.dispose();
    },
  );
}

Deno.test("training-time on webgpu: the steps to threshold wasm counts", opts, async () => {
  // depths 2 and 6 at width 16: a few hundred steps each on the software adapter. Float32 sums
  // in another order can move the crossing by a step where the loss passes the threshold
  // within rounding; the slide's claim (orthogonal flat, Gaussian growing) is tens of steps.
  const p = { depth_min: 2, depth_max: 6, depth_points: 2, width: 16, max_steps: 400 };
  const wasm = await pipelineRows(trainingTime, p, "w", "wasm");
  const gpuRows = await pipelineRows(trainingTime, p, "g", "webgpu");
  const counts = (rows: typeof wasm) =>
    rows.filter((r) => r.stream === "learning-time").map((r) => [r.depth, r.init, r.steps]);
  const [a, b] = [counts(wasm), counts(gpuRows)];
  assert(a.length >= 4 && a.length === b.length, JSON.stringify([a, b]));
  a.forEach(([depth, init, steps], i) => {
    assert(b[i][0] === depth && b[i][1] === init, JSON.stringify([a[i], b[i]]));
    assert(
      steps === null ? b[i][2] === null : Math.abs((b[i][2] as number) - (steps as number)) <= 1,
      JSON.stringify([a[i], b[i]]),
    );
  });
  const done = String(gpuRows.find((r) => r.stream === "done")!.computed);
  assert(done.includes("float32 webgpu") && !done.includes("wasm-simd ("), done);
});
