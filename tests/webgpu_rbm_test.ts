/**
 * The RBM's CD-1 step on WebGPU (src/cheap/gpu_rbm.ts) against the float64 CD-1 rule and the
 * wasm machine from the same seed (the software adapter here; ignored without an adapter).
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { gpu, hasGpu } from "../src/compute/webgpu/device.ts";
import { GpuRbm } from "../src/cheap/gpu_rbm.ts";
import { SimdRbm } from "../src/cheap/rbm.ts";
import { sigmoid } from "../src/cheap/activations.ts";
import { Rng } from "../src/random/rng.ts";

const ignore = !(await hasGpu());
const opts = { ignore, sanitizeResources: false, sanitizeOps: false };

/** Odd sizes (the GPU needs no multiples of 4) and 0/1 data at density 0.4. */
function data(nv: number, batch: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: nv * batch }, () => (rng.uniform() < 0.4 ? 1 : 0));
}

Deno.test(
  "GpuRbm: one CD-1 step is the float64 rule's (with h0's draws replayed), at odd sizes",
  opts,
  async () => {
    // The oracle: CD-1 written out in float64 from the same W, biases and uniforms. Float32
    // products of ≤ 37 terms of size ≲ 1 are good to ≈ 1e-6; the update is lr/B × that.
    const nv = 37, nh = 19, batch = 11, lr = 0.1, l1 = 1e-3, momentum = 0.5;
    const rng = new Rng(3);
    const rbm = GpuRbm.create(await gpu(), nv, nh, batch, rng);
    const W0 = Float64Array.from(await rbm.weights());
    rbm.setVisibleBiases(Array.from({ length: nv }, (_, i) => 0.2 + 0.6 * (i / nv)));
    for (let j = 0; j < nh; j++) rbm.c[j] = 0.1 * Math.sin(j);
    const b0 = rbm.b.slice(), c0 = rbm.c.slice();
    const v0 = data(nv, batch, rng);
    const draws = new Rng(77);
    const err = await rbm.step(v0, lr, l1, momentum, new Rng(77));
    // float64: h0 ~ [u < σ(v0 W + c)], v1 = σ(h0 Wᵀ + b), ph1 = σ(v1 W + c)
    const G = new Float64Array(nv * nh), db = new Float64Array(nv), dc = new Float64Array(nh);
    let sq = 0;
    for (let m = 0; m < batch; m++) {
      const v = v0.subarray(m * nv, (m + 1) * nv);
      const ph0 = new Float64Array(nh), h0 = new Float64Array(nh);
      for (let j = 0; j < nh; j++) {
        let s = c0[j];
        for (let i = 0; i < nv; i++) s += v[i] * W0[i * nh + j];
        ph0[j] = sigmoid(s);
      }
      for (let j = 0; j < nh; j++) h0[j] = draws.uniform() < ph0[j] ? 1 : 0;
      const v1 = new Float64Array(nv);
      for (let i = 0; i < nv; i++) {
        let s = b0[i];
        for (let j = 0; j < nh; j++) s += h0[j] * W0[i * nh + j];
        v1[i] = sigmoid(s);
        db[i] += v[i] - v1[i];
        sq += (v[i] - v1[i]) ** 2;
      }
      for (let j = 0; j < nh; j++) {
        let s = c0[j];
        for (let i = 0; i < nv; i++) s += v1[i] * W0[i * nh + j];
        const ph1 = sigmoid(s);
        dc[j] += ph0[j] - ph1;
        for (let i = 0; i < nv; i++) G[i * nh + j] += v[i] * ph0[j] - v1[i] * ph1;
      }
    }
    assertAlmostEquals(err, sq / (batch * nv), 1e-6);
    const W1 = await rbm.weights();
    const rate = lr / batch;
    let moved = 0;
    for (let q = 0; q < nv * nh; q++) {
      const want = W0[q] + rate * G[q] - lr * l1 * Math.sign(W0[q]);
      assertAlmostEquals(W1[q], want, 1e-6, `W${q}`);
      moved = Math.max(moved, Math.abs(want - W0[q]));
    }
    assert(moved > 1e-3, `the step moved W by ${moved}: too little to test`);
    for (let i = 0; i < nv; i++) assertAlmostEquals(rbm.b[i], b0[i] + rate * db[i], 1e-6);
    for (let j = 0; j < nh; j++) assertAlmostEquals(rbm.c[j], c0[j] + rate * dc[j], 1e-6);
    rbm.dispose();
  },
);

Deno.test("GpuRbm: 20 steps with momentum track SimdRbm from the same seed", opts, async () => {
  // Same initial W, same draws: only float32 sums in another order differ (≈ 1e-7 a step,
  // carried by the momentum's ≈ 2× gain over 20 steps); a flipped h0 sample (a uniform within
  // 1e-7 of its probability) would move a weight by ≈ rate = 1e-2 and fail at 1e-4.
  const nv = 64, nh = 32, batch = 25;
  const [ra, rb] = [new Rng(5), new Rng(5)];
  const a = GpuRbm.create(await gpu(), nv, nh, batch, ra);
  const b = await SimdRbm.create(nv, nh, batch, rb);
  const x = data(nv, batch * 4, new Rng(6));
  for (let s = 0; s < 20; s++) {
    const v = x.subarray((s % 4) * batch * nv, ((s % 4) + 1) * batch * nv);
    const ea = await a.step(v, 0.1, 1e-4, s < 5 ? 0.5 : 0.9, ra);
    const eb = b.step(v, 0.1, 1e-4, s < 5 ? 0.5 : 0.9, rb);
    assertAlmostEquals(ea, eb, 1e-5, `step ${s}'s reconstruction error`);
  }
  const wa = await a.weights(), wb = await b.weights();
  for (let q = 0; q < nv * nh; q++) assertAlmostEquals(wa[q], wb[q], 1e-4, `W${q}`);
  for (let j = 0; j < nh; j++) assertAlmostEquals(a.c[j], b.c[j], 1e-4, `c${j}`);
  a.dispose();
});
