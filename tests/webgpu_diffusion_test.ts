/**
 * Diffusion's reverse model on WebGPU (src/diffusion/gpu_model.ts) against the float64
 * reference and the wasm twin, at odd widths and batches past one GPU pass (the software
 * adapter here; ignored where Deno finds no adapter).
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { gpu, hasGpu } from "../src/compute/webgpu/device.ts";
import { GPU_CHUNK, GpuReverseModel } from "../src/diffusion/gpu_model.ts";
import { Rng } from "../src/random/rng.ts";
import { diffusionBatch } from "./helpers/diffusion_batch.ts";

const ignore = !(await hasGpu());
const opts = { ignore, sanitizeResources: false, sanitizeOps: false };

/**
 * As for the wasm model (tests/diffusion_simd_test.ts): float32 products of ≲ 100 terms
 * against float64 agree to ≈ 1e-6 relative; 1e-4 of the largest gradient entry leaves room
 * for cancellation in small entries. The GPU sums in another order, not more coarsely.
 */
const RTOL = 1e-4;

for (const kind of ["gaussian", "binomial"] as const) {
  Deno.test(
    `GpuReverseModel (${kind}): per-example KL and the gradient match float64`,
    opts,
    async () => {
      // 7 rows: one small pass; GPU_CHUNK + 37: two passes, the gradient summed over both
      for (const count of [7, GPU_CHUNK + 37]) {
        const { model, theta, batch } = diffusionBatch(kind, count, count);
        const net = await GpuReverseModel.create(model, theta, await gpu());
        const grad32 = new Float64Array(model.n);
        const loss = await net.lossAndGrad(batch, grad32);
        const grad64 = new Float64Array(model.n);
        const kl64 = model.kl(theta, batch, grad64);
        const kl32 = await net.kl(batch);
        for (let e = 0; e < count; e++) {
          assertAlmostEquals(kl32[e], kl64[e], RTOL * (Math.abs(kl64[e]) + 1e-3), `example ${e}`);
        }
        assertAlmostEquals(loss, kl64.reduce((a, b) => a + b, 0) / count, RTOL * loss);
        const scale = grad64.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
        assert(scale > 0);
        for (let i = 0; i < model.n; i++) {
          assertAlmostEquals(grad32[i], grad64[i], RTOL * scale, `${kind}, ${count} rows, θ_${i}`);
        }
        net.dispose();
      }
    },
  );
}

Deno.test(
  "GpuReverseModel: load() takes new weights on the GPU and in the sampling twin",
  opts,
  async () => {
    const { model, theta, batch } = diffusionBatch("gaussian", 11, 5);
    const net = await GpuReverseModel.create(model, model.init(new Rng(9)), await gpu());
    const before = await net.kl(batch);
    // θ changed in place, as Adam does, then loaded: both the KL and the reverse kernels follow
    const inPlace = model.init(new Rng(9));
    net.load(inPlace);
    net.reverseAll(batch.xt, 3); // the twin at the old θ
    inPlace.set(theta);
    net.load(inPlace);
    const after = await net.kl(batch);
    const ref = model.kl(theta, batch);
    assert(Math.abs(before[0] - ref[0]) > 1e-3, "the first weights differ from θ");
    for (let e = 0; e < 11; e++) {
      assertAlmostEquals(
        after[e],
        ref[e],
        RTOL * (Math.abs(ref[e]) + 1e-3),
      );
    }
    const a = net.reverseAll(batch.xt, 7), b = model.at(theta).reverseAll(batch.xt, 7);
    for (let i = 0; i < batch.xt.length; i++) {
      assertAlmostEquals(a.mean[i], b.mean[i], RTOL * (Math.abs(b.mean[i]) + 1e-2));
      assertAlmostEquals(a.variance[i], b.variance[i], RTOL * b.variance[i]);
    }
    net.dispose();
  },
);
