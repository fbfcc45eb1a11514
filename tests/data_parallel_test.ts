/**
 * TypeScript tasks on the kernel pool (issue #28: small models and row-wise sweeps on every
 * core): the pool's `moduleJob`, the diffusion model's sharded training step and the ideal
 * reverse kernels' moments, the RBM's sharded CD-1 step, and the float32 tanh kernels the
 * diffusion step now runs.
 *
 * Tolerances. Across thread counts and against no pool: 0 — a shard or a row is the same
 * computation wherever it runs, and sums are taken in shard order. Against the unsharded
 * gradient: float32 sums over 50 rows instead of 200 differ by ≈ 1e-7 relative; 1e-5 of the
 * largest entry leaves room for cancellation. Against Math.tanh: the rational fit is good to
 * 2.7e-7 (tanh32.ts); evaluated in float32 its ≈ 10 roundings add ≲ 6e-7.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { F64Pool, gemm, shardRows, startF64Pool, stopF64Pool } from "../src/compute/f64/mod.ts";
import { instantiateKernels } from "../src/compute/simd_kernels.ts";
import { makeSchedule } from "../src/diffusion/schedule.ts";
import { ReverseModel } from "../src/diffusion/model.ts";
import { SimdReverseModel } from "../src/diffusion/simd_model.ts";
import { KL_ROWS, ParallelReverseModel, SHARD_ROWS } from "../src/diffusion/shards.ts";
import { gaussianCeiling } from "../src/diffusion/ceiling.ts";
import { forwardSample } from "../src/diffusion/bound.ts";
import { swissRoll } from "../src/diffusion/data.ts";
import { Rng } from "../src/random/rng.ts";
import { SimdRbm } from "../src/cheap/rbm.ts";
import { checkCdStep } from "./helpers/cd_step.ts";
import { RBM_SHARD_ROWS } from "../src/cheap/rbm_shards.ts";

const TASKS_URL = new URL("./helpers/module_tasks.ts", import.meta.url).href;

/** Writes the job's arguments and inputs into the pool's memory; returns argsAt (bytes). */
function squareJob(pool: F64Pool, tasks: number, failAt: number, waitForHelper = true) {
  pool.reset();
  const at = (n: number) => pool.alloc(8 * n) / 8;
  const argsAt = at(6), inAt = at(tasks), outAt = at(tasks), byAt = at(tasks), flagAt = at(1);
  const mem = pool.f64();
  mem.set([tasks, inAt, outAt, byAt, failAt, flagAt], argsAt);
  for (let t = 0; t < tasks; t++) mem[inAt + t] = t + 0.5;
  const flag = new Int32Array(pool.memory.buffer, flagAt * 8, 1);
  const local = (t: number) => {
    // the caller's first task waits (≤ 10 s) until a helper has run one: helpers take part
    if (t === 0 && waitForHelper) Atomics.wait(flag, 0, 0, 10_000);
    const m = pool.f64();
    m[outAt + t] = m[inAt + t] * m[inAt + t];
    m[byAt + t] = 0;
  };
  return { argsAt: 8 * argsAt, outAt, byAt, local };
}

Deno.test("moduleJob(): every task runs once, on the caller or a helper that imported the module", async () => {
  const pool = await F64Pool.create(3);
  try {
    for (const tasks of [1, 7, 200]) {
      // one task is the caller's alone: no helper is woken, so none is waited for
      const job = squareJob(pool, tasks, -1, tasks > 1);
      pool.moduleJob(TASKS_URL, "squareTask", job.argsAt, tasks, job.local);
      const mem = pool.f64();
      for (let t = 0; t < tasks; t++) assertEquals(mem[job.outAt + t], (t + 0.5) ** 2, `task ${t}`);
      if (tasks > 1) {
        const byHelpers = Array.from(mem.subarray(job.byAt, job.byAt + tasks)).filter((x) =>
          x === 1
        );
        assert(byHelpers.length > 0, `${tasks} tasks: none ran on a helper`);
      }
    }
    assertEquals(pool.tsJobs, 3);
    assertEquals(pool.jobs, 0); // TypeScript jobs are not counted as float64 kernels
  } finally {
    pool.close();
  }
});

Deno.test("moduleJob(): a task that throws (on the caller or a helper) fails the job; the pool works after", async () => {
  const pool = await F64Pool.create(2);
  try {
    const tasks = 40;
    const job = squareJob(pool, tasks, 39);
    // the caller skips task 39 and waits for a helper to take it (the caller's own tasks are
    // plain squares): run the caller's copy only for the others
    let threw: Error | null = null;
    try {
      pool.moduleJob(TASKS_URL, "squareTask", job.argsAt, tasks, (t) => {
        if (t === 39) throw new Error("task 39 fails on purpose");
        job.local(t);
      });
    } catch (e) {
      threw = e as Error;
    }
    assert(threw !== null, "the job did not fail");
    assert(/squareTask|fails on purpose/.test(threw!.message), threw!.message);
    // the next job, a product, is whole
    const c = gemm(pool, Float64Array.of(1, 2, 3, 4), Float64Array.of(5, 6, 7, 8), 2, 2, 2);
    assertEquals(Array.from(c), [19, 22, 43, 50]);
  } finally {
    pool.close();
  }
});

function diffusionSetup(count: number) {
  const rng = new Rng(11);
  const T = 12;
  const beta = makeSchedule("geometric", T, false, 1e-3, 0.3);
  const model = new ReverseModel({ kind: "gaussian", d: 2, hidden: [9, 6], basis: T }, beta);
  const theta = model.init(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal();
  const x0 = swissRoll(count, rng);
  const t = new Int32Array(count).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
  return { model, theta, batch: { x0, t, xt: forwardSample(x0, t, model.ab, false, 2, rng) } };
}

Deno.test("ParallelReverseModel: gradient and KL with the same bits with no pool and on 1, 2, 3 threads; the unsharded gradient to float32 rounding", async () => {
  const count = 201; // four shards, 50 and 51 rows, none a multiple of 4
  assertEquals(Math.ceil(count / SHARD_ROWS), 4);
  assertEquals([0, 1, 2, 3].map((s) => shardRows(count, 4, s)), [[0, 50], [50, 50], [100, 50], [
    150,
    51,
  ]]);
  assert(count > KL_ROWS); // the KL is split too
  const { model, theta, batch } = diffusionSetup(count);
  const net = await SimdReverseModel.create(model, theta);
  const whole = new Float64Array(model.n);
  const wholeLoss = net.lossAndGrad(batch, whole);
  const wholeKl = net.kl(batch);
  const results: { threads: number; loss: number; grad: number[]; kl: number[]; used: number }[] =
    [];
  for (const threads of [0, 1, 2, 3]) {
    if (threads) await startF64Pool(threads);
    try {
      // first at another θ: the second call finds the helpers' replicas built, and they
      // must load the new θ
      const parallel = new ParallelReverseModel(model, net, theta);
      const grad = new Float64Array(model.n);
      parallel.load(theta.map((x) => 0.9 * x));
      parallel.lossAndGrad(batch, grad);
      parallel.load(theta);
      const loss = parallel.lossAndGrad(batch, grad);
      const kl = Array.from(parallel.kl(batch));
      results.push({ threads, loss, grad: Array.from(grad), kl, used: parallel.threads });
    } finally {
      stopF64Pool();
    }
  }
  assertEquals(results.map((r) => r.used), [1, 1, 2, 3]);
  for (const r of results.slice(1)) {
    assertEquals(r.loss, results[0].loss, `${r.threads} threads`);
    assertEquals(r.grad, results[0].grad, `${r.threads} threads`);
    assertEquals(r.kl, results[0].kl, `${r.threads} threads`);
  }
  // a row's KL does not depend on the rows computed beside it
  assertEquals(results[0].kl, Array.from(wholeKl));
  const scale = whole.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  assertAlmostEquals(results[0].loss, wholeLoss, 1e-6 * wholeLoss);
  for (let i = 0; i < model.n; i++) {
    assertAlmostEquals(results[0].grad[i], whole[i], 1e-5 * scale, `θ_${i}`);
  }
});

Deno.test("ParallelReverseModel.reverseAll(): the reverse kernels in row blocks over the pool, the same bits as on the model itself", async () => {
  const { model, theta } = diffusionSetup(4);
  const net = await SimdReverseModel.create(model, theta);
  const rng = new Rng(9);
  const count = 2 * KL_ROWS + 37; // three blocks, the last partial
  const xt = Float64Array.from({ length: count * 2 }, () => 2 * rng.normal());
  const want = net.reverseAll(xt, 7);
  for (const threads of [2, 3]) {
    await startF64Pool(threads);
    try {
      const parallel = new ParallelReverseModel(model, net, theta);
      // repeated: the first calls build the helpers' replicas while the caller takes blocks
      for (let i = 0; i < 3; i++) {
        const got = parallel.reverseAll(xt, 7);
        assertEquals(Array.from(got.mean), Array.from(want.mean), `${threads} threads`);
        assertEquals(Array.from(got.variance), Array.from(want.variance), `${threads} threads`);
      }
    } finally {
      stopF64Pool();
    }
  }
});

Deno.test("gaussianCeiling(): the ideal kernels' moments on 2 and 3 threads give the bits of one", async () => {
  const beta = makeSchedule("geometric", 8, false, 1e-3, 0.3);
  const rng = new Rng(3);
  const train = swissRoll(700, rng), test = swissRoll(90, rng);
  const runs: { bits: number; kl: number[] }[] = [];
  for (const threads of [0, 2, 3]) {
    if (threads) await startF64Pool(threads);
    try {
      const c = await gaussianCeiling(beta, train, test, 2, new Rng(8));
      runs.push({ bits: c.bits, kl: Array.from(c.kl) });
    } finally {
      stopF64Pool();
    }
  }
  assert(Number.isFinite(runs[0].bits));
  assertEquals(runs[1], runs[0]);
  assertEquals(runs[2], runs[0]);
});

Deno.test("bias_tanh and tanh_grad kernels: tanh(x + b) to float32 precision, dz = dh(1 − a²), pad rows 0", async () => {
  const k = await instantiateKernels(1 << 16);
  const rows = 5, rowsP = 8, n = 12;
  const f = (at: number, len: number) => new Float32Array(k.memory.buffer, at, len);
  const act = f(0, rowsP * n), b = f(4096, n), dh = f(8192, rowsP * n), dz = f(12288, rowsP * n);
  const rng = new Rng(1);
  // x from −12 to 12 (both clamps), and values near 0 (relative accuracy)
  const x = Float32Array.from(
    { length: rowsP * n },
    (_, i) => i < 8 ? 1e-4 * (i - 4) : -12 + (24 * i) / (rowsP * n),
  );
  for (let j = 0; j < n; j++) b[j] = 0.1 * rng.normal();
  act.set(x);
  k.bias_tanh(0, rows, n, 4096);
  let worst = 0;
  for (let e = 0; e < rowsP; e++) {
    for (let j = 0; j < n; j++) {
      const i = e * n + j;
      if (e >= rows) {
        assertEquals(act[i], x[i], "rows past `rows` are left alone");
        continue;
      }
      const want = Math.tanh(x[i] + b[j]);
      worst = Math.max(worst, Math.abs(act[i] - want) / Math.max(1, Math.abs(want) / 1e-3));
      assertAlmostEquals(act[i], want, 6e-7 + 1e-6 * Math.abs(want), `x = ${x[i]}`);
    }
  }
  assert(worst < 6e-7, `worst ${worst}`);
  dz.fill(7);
  for (let i = 0; i < rowsP * n; i++) dh[i] = rng.normal();
  k.tanh_grad(12288, 8192, 0, rows, rowsP, n);
  for (let i = 0; i < rowsP * n; i++) {
    const want = i < rows * n
      ? Math.fround(dh[i] * Math.fround(1 - Math.fround(act[i] * act[i])))
      : 0;
    assertEquals(dz[i], want, `entry ${i}`);
  }
});

Deno.test("moduleJob(): a module without the named export fails the job, not the thread", async () => {
  const pool = await F64Pool.create(2);
  try {
    const job = squareJob(pool, 20, -1);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    let message = "";
    try {
      // the caller's copy is slow (0.2 s a task), so the helper takes tasks and fails them
      pool.moduleJob(TASKS_URL, "noSuchTask", job.argsAt, 20, () => {
        Atomics.wait(pause, 0, 0, 200);
      });
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.includes("noSuchTask"), `the job did not fail by name: "${message}"`);
    const again = squareJob(pool, 20, -1);
    pool.moduleJob(TASKS_URL, "squareTask", again.argsAt, 20, again.local);
    assertEquals(pool.f64()[again.outAt + 19], 19.5 ** 2);
  } finally {
    pool.close();
  }
});

Deno.test("SimdRbm.step(): CD-1 in shards, the same bits with no pool and on 1, 2, 3 threads, and the float64 CD-1 step", async () => {
  const nv = 8, nh = 4, batch = 50; // two shards of 25 rows
  assertEquals(Math.ceil(batch / RBM_SHARD_ROWS), 2);
  const data = (rng: Rng) =>
    Array.from(
      { length: batch },
      () => Array.from({ length: nv }, () => (rng.uniform() < 0.4 ? 1 : 0)),
    );
  const runs: number[][] = [];
  for (const threads of [0, 1, 2, 3]) {
    if (threads) await startF64Pool(threads);
    try {
      const rng = new Rng(13);
      const rbm = await SimdRbm.create(nv, nh, batch, rng);
      for (let q = 0; q < nv * nh; q++) rbm.W[q] = 0.5 * rng.normal();
      const first = data(rng), second = data(rng);
      rbm.step(first.flat(), 0.1, 0, 0, new Rng(99));
      // the second step against the float64 CD-1 gradient at the weights after the first
      // (the helpers' replicas must have taken them)
      const err = checkCdStep(rbm, second, 0.1, 7, `${threads} threads`);
      runs.push([...rbm.W, ...rbm.b, ...rbm.c, err]);
    } finally {
      stopF64Pool();
    }
  }
  for (const r of runs.slice(1)) assertEquals(r, runs[0]);
});

Deno.test("transpose kernel: dst = srcᵀ at odd sizes and past a 16-row block", async () => {
  const k = await instantiateKernels(1 << 20);
  for (const [rows, cols] of [[1, 1], [7, 3], [37, 21], [16, 64]]) {
    const src = new Float32Array(k.memory.buffer, 0, rows * cols);
    for (let q = 0; q < src.length; q++) src[q] = q + 0.5;
    k.transpose(0, rows, cols, 1 << 19);
    const dst = new Float32Array(k.memory.buffer, 1 << 19, rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        assertEquals(dst[j * rows + i], src[i * cols + j], `${rows} × ${cols}`);
      }
    }
  }
});

Deno.test("momentum_l1 kernel: the RBM's update from its shards, against the float64 rule", async () => {
  // vel ← m·vel + rate·Σ_s g_s − decay·sign(w), w ← w + vel. Inputs are float32 numbers of
  // O(1); the kernel works in float32, so each result is good to a few ulps of O(1): 1e-6.
  // w holds exact zeros, where sign(w) = 0 (a decay there would push every dead weight off 0).
  const k = await instantiateKernels(1 << 20);
  const rng = new Rng(5);
  for (const [n, shards] of [[4, 1], [12, 2], [1028, 3]]) {
    const at = { w: 0, vel: 1 << 16, g: 1 << 17 };
    const w = new Float32Array(k.memory.buffer, at.w, n);
    const vel = new Float32Array(k.memory.buffer, at.vel, n);
    const g = new Float32Array(k.memory.buffer, at.g, shards * n);
    for (let q = 0; q < n; q++) {
      w[q] = q % 5 === 0 ? 0 : rng.normal();
      vel[q] = rng.normal();
    }
    for (let q = 0; q < shards * n; q++) g[q] = rng.normal();
    const [m, rate, decay] = [0.9, 0.25, 0.125];
    const want = Array.from({ length: n }, (_, q) => {
      let G = 0;
      for (let s = 0; s < shards; s++) G += g[s * n + q];
      const v = m * vel[q] + rate * G - decay * Math.sign(w[q]);
      return { v, w: w[q] + v };
    });
    k.momentum_l1(at.w, at.vel, at.g, shards, n, m, rate, decay);
    for (let q = 0; q < n; q++) {
      assertAlmostEquals(vel[q], want[q].v, 1e-6, `n ${n}, ${shards} shards: vel ${q}`);
      assertAlmostEquals(w[q], want[q].w, 1e-6, `n ${n}, ${shards} shards: w ${q}`);
    }
  }
});
