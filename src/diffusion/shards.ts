/**
 * The reverse model's batch work on every core (issue #28). Its training step is
 * data-parallel: a batch is cut into shards of
 * at most SHARD_ROWS rows, fixed by the batch size alone; each shard's loss and gradient
 * is computed on its own (here, or by a replica of the float32 model on a helper thread of
 * the kernel pool), and the shards' gradients are summed in shard order. The products of
 * a 200 × 64 step are too small to split (a hand-off costs as much as one), but a shard is
 * ≈ 2 ms of work: the unit that spreads over the cores.
 *
 * The bits do not depend on the thread count: every shard is the same float32 computation
 * from the same θ wherever it runs, and the sum's order is the shards'.
 *
 * @module
 */
import { type F64Pool, f64Pool, shardRows } from "../compute/f64/mod.ts";
import {
  type Batch,
  type Kind,
  type ModelSpec,
  type ReverseKernel,
  ReverseModel,
} from "./model.ts";
import { SimdReverseModel } from "./simd_model.ts";
import type { Prior } from "./gaussian_base.ts";

/** Rows a shard holds at most: a batch of 200 is 4 shards of 50. */
export const SHARD_ROWS = 64;

/** Rows per task when only KL values are wanted (evaluation: no gradient to sum). */
export const KL_ROWS = 128;

/** `shardTask`'s header, doubles at argsAt (element offsets into the memory as doubles). */
const H = {
  key: 0,
  version: 1,
  kind: 2,
  d: 3,
  basis: 4,
  T: 5,
  layers: 6,
  /** hidden sizes at sizesAt, β at betaAt, θ at thetaAt */
  sizesAt: 7,
  betaAt: 8,
  thetaAt: 9,
  n: 10,
  count: 11,
  shards: 12,
  x0At: 13,
  xtAt: 14,
  tAt: 15,
  /** shards × n gradients (mode 1 only), then count KL values (mode 2: count × d means, then
   * count × d variances) */
  gradAt: 16,
  klAt: 17,
  /** MODE_CODE: 1, shards of the gradient step; 0, KL only, in tasks of KL_ROWS rows; 2, the
   * reverse kernels at one t (every row's t), in `shards` even blocks of rows */
  mode: 18,
  /** the kernel base's a, b and logitVariance, (T + 1) × d each, from baseAt; −1: none */
  baseAt: 19,
  length: 20,
} as const;

let nextKey = 1;

/**
 * Shard s of a training batch on `net` (any thread's): its gradient into `grad` (zeroed
 * first, scaled for the whole batch's mean) and its rows' KL into kl[from…]. Returns the
 * shard's [from, rows].
 */
function shardGradient(
  net: SimdReverseModel,
  batch: Batch,
  shards: number,
  s: number,
  grad: Float64Array,
  kl: Float64Array,
): [number, number] {
  const count = batch.t.length;
  const [from, rows] = shardRows(count, shards, s);
  grad.fill(0);
  net.klRows(batch, from, rows, kl, grad, 1 / count);
  return [from, rows];
}

/**
 * Block s of `blocks` (shardRows: even blocks) of xt's rows: their reverse kernels at step t
 * into mean and variance. Each row's kernels depend on that row alone, so any split gives the
 * same bits.
 */
function reverseBlock(
  net: SimdReverseModel,
  xt: Float64Array,
  t: number,
  blocks: number,
  s: number,
  mean: Float64Array,
  variance: Float64Array,
): [number, number] {
  const [from, rows] = shardRows(xt.length / net.spec.d, blocks, s);
  net.reverseRows(xt, from, rows, t, mean, variance);
  return [from, rows];
}

/** What a job computes: a training step's shards, KL values, or the reverse kernels at one t. */
type Mode = "gradient" | "kl" | "reverse";
const MODE_CODE: Record<Mode, number> = { kl: 0, gradient: 1, reverse: 2 };

/** Block s of KL_ROWS rows of an evaluation batch on `net`: their KL into kl[from…]. */
function klBlock(
  net: SimdReverseModel,
  batch: Batch,
  s: number,
  kl: Float64Array,
): [number, number] {
  const from = s * KL_ROWS, rows = Math.min(KL_ROWS, batch.t.length - from);
  net.klRows(batch, from, rows, kl, undefined, 0);
  return [from, rows];
}

/**
 * The float32 reverse model with its batch work spread over the kernel pool: the training
 * step's loss and gradient in shards, and evaluation's per-example KL (the bound takes
 * T − 1 batches of the held-out set each time) and the reverse chain's kernels (`reverseAll`)
 * in row blocks. Without a pool of several threads, every call runs here, with the same bits.
 */
export class ParallelReverseModel implements ReverseKernel {
  readonly spec: ModelSpec;
  readonly beta: Float64Array;
  readonly ab: Float64Array;
  readonly prior: Prior | null;
  readonly #model: ReverseModel;
  readonly #net: SimdReverseModel;
  readonly #key = nextKey++;
  #theta: Float64Array;
  #version = 1;
  #shardGrad: Float64Array;
  /** How many threads computed the last gradient's shards (tests read it). */
  threads = 1;

  /** `net` at θ (the float64 model's layout). */
  constructor(model: ReverseModel, net: SimdReverseModel, theta: Float64Array) {
    this.#model = model;
    this.#net = net;
    this.spec = net.spec;
    this.beta = net.beta;
    this.ab = net.ab;
    this.prior = net.prior;
    this.#theta = theta;
    this.#shardGrad = new Float64Array(model.n);
  }

  /** Takes θ as the weights (θ is kept, not copied: load again after changing it). */
  load(theta: Float64Array): void {
    this.#net.load(theta);
    this.#theta = theta;
    this.#version++;
  }

  /** Writes d(mean KL)/dθ into grad; returns the batch's mean KL. */
  lossAndGrad(batch: Batch, grad: Float64Array): number {
    const count = batch.t.length;
    const shards = Math.ceil(count / SHARD_ROWS);
    const kl = new Float64Array(count);
    const pool = f64Pool();
    grad.fill(0);
    if (!pool || pool.threads === 1 || shards === 1) {
      this.threads = 1;
      for (let s = 0; s < shards; s++) {
        shardGradient(this.#net, batch, shards, s, this.#shardGrad, kl);
        for (let i = 0; i < grad.length; i++) grad[i] += this.#shardGrad[i];
      }
      return kl.reduce((a, b) => a + b, 0) / count;
    }
    this.threads = Math.min(pool.threads, shards);
    const n = this.#model.n;
    const { gradAt, klAt } = this.#job(pool, batch, shards, "gradient", (s, { gradAt, klAt }) => {
      const [from, rows] = shardGradient(this.#net, batch, shards, s, this.#shardGrad, kl);
      const out = pool.f64();
      out.set(this.#shardGrad, gradAt + s * n);
      out.set(kl.subarray(from, from + rows), klAt + from);
    });
    const out = pool.f64();
    for (let s = 0; s < shards; s++) {
      const g = out.subarray(gradAt + s * n, gradAt + (s + 1) * n);
      for (let i = 0; i < n; i++) grad[i] += g[i];
    }
    let sum = 0;
    for (let e = 0; e < count; e++) sum += out[klAt + e];
    return sum / count;
  }

  /** Each example's KL (ReverseKernel.kl), in blocks of KL_ROWS rows over the pool. */
  kl(batch: Batch): Float64Array {
    const count = batch.t.length;
    const pool = f64Pool();
    if (!pool || pool.threads === 1 || count <= KL_ROWS) return this.#net.kl(batch);
    const kl = new Float64Array(count);
    const tasks = Math.ceil(count / KL_ROWS);
    const { klAt } = this.#job(pool, batch, tasks, "kl", (s, { klAt }) => {
      const [from, rows] = klBlock(this.#net, batch, s, kl);
      pool.f64().set(kl.subarray(from, from + rows), klAt + from);
    });
    kl.set(pool.f64().subarray(klAt, klAt + count));
    return kl;
  }

  /**
   * The reverse kernels at step t for every row of xt (ReverseKernel.reverseAll), in even row
   * blocks over the pool: the inpainting chain's 200 images at each of its ≈ 1,700 steps. (The
   * job writes θ into the pool's memory each call, as a training step does; the helper reloads
   * it only when it changed.)
   */
  reverseAll(xt: Float64Array, t: number): { mean: Float64Array; variance: Float64Array } {
    const { d } = this.spec;
    const count = xt.length / d;
    const pool = f64Pool();
    if (!pool || pool.threads === 1 || count <= KL_ROWS) return this.#net.reverseAll(xt, t);
    const mean = new Float64Array(xt.length), variance = new Float64Array(xt.length);
    const batch: Batch = { x0: new Float64Array(0), xt, t: new Int32Array(count).fill(t) };
    // a block per thread (200 images on 2 threads: 2 of 100), none past KL_ROWS rows
    const tasks = Math.max(pool.threads, Math.ceil(count / KL_ROWS));
    const here = new Set<number>();
    const { klAt } = this.#job(pool, batch, tasks, "reverse", (s) => {
      reverseBlock(this.#net, xt, t, tasks, s, mean, variance);
      here.add(s);
    });
    // the helpers' blocks come back through the memory; the caller's are in place already
    const out = pool.f64();
    for (let s = 0; s < tasks; s++) {
      if (here.has(s)) continue;
      const [from, rows] = shardRows(count, tasks, s);
      const a = from * d, b = (from + rows) * d;
      mean.set(out.subarray(klAt + a, klAt + b), a);
      variance.set(out.subarray(klAt + count * d + a, klAt + count * d + b), a);
    }
    return { mean, variance };
  }

  /** Writes the job's header, θ and batch into the pool's memory and runs its tasks. */
  #job(
    pool: F64Pool,
    batch: Batch,
    tasks: number,
    mode: Mode,
    local: (s: number, at: { gradAt: number; klAt: number }) => void,
  ): { gradAt: number; klAt: number } {
    const { spec, beta, n } = this.#model;
    const count = batch.t.length;
    pool.reset();
    const at = (doubles: number) => pool.alloc(8 * doubles) / 8;
    const argsAt = at(H.length), sizesAt = at(spec.hidden.length), betaAt = at(beta.length);
    const thetaAt = at(n), x0At = at(batch.x0.length), xtAt = at(batch.xt.length);
    const tAt = at(count), gradAt = at(mode === "gradient" ? tasks * n : 0);
    const klAt = at(mode === "reverse" ? 2 * count * spec.d : count);
    const base = this.#model.base, baseSize = (beta.length + 1) * spec.d;
    const baseAt = base ? at(3 * baseSize) : -1;
    const header = new Float64Array(H.length);
    header[H.key] = this.#key;
    header[H.version] = this.#version;
    header[H.kind] = spec.kind === "gaussian" ? 0 : 1;
    header[H.d] = spec.d;
    header[H.basis] = spec.basis;
    header[H.T] = beta.length;
    header[H.layers] = spec.hidden.length;
    header[H.sizesAt] = sizesAt;
    header[H.betaAt] = betaAt;
    header[H.thetaAt] = thetaAt;
    header[H.n] = n;
    header[H.count] = count;
    header[H.shards] = tasks;
    header[H.x0At] = x0At;
    header[H.xtAt] = xtAt;
    header[H.tAt] = tAt;
    header[H.gradAt] = gradAt;
    header[H.klAt] = klAt;
    header[H.mode] = MODE_CODE[mode];
    header[H.baseAt] = baseAt;
    const mem = pool.f64();
    if (base) {
      mem.set(base.a, baseAt);
      mem.set(base.b, baseAt + baseSize);
      mem.set(base.logitVariance, baseAt + 2 * baseSize);
    }
    mem.set(header, argsAt);
    mem.set(spec.hidden, sizesAt);
    mem.set(beta, betaAt);
    mem.set(this.#theta, thetaAt);
    mem.set(batch.x0, x0At);
    mem.set(batch.xt, xtAt);
    mem.set(batch.t, tAt);
    const outputs = { gradAt, klAt };
    pool.moduleJob(import.meta.url, "shardTask", 8 * argsAt, tasks, (s) => local(s, outputs));
    return outputs;
  }
}

/** A helper thread's replica: the model its key names, at the θ of its version. */
interface Replica {
  key: number;
  version: number;
  model: ReverseModel;
  net: SimdReverseModel;
  grad: Float64Array;
  kl: Float64Array;
}

let replica: Replica | null = null;

/**
 * Task s of a `ParallelReverseModel` job, on a helper thread: the replica is built at the
 * model's first call here (async: its kernels are instantiated) and loads θ once a call.
 * Reads are copied out of the shared memory into plain arrays first (V8 reads typed arrays
 * over WebAssembly's growable shared buffer more slowly).
 */
export async function shardTask(
  memory: WebAssembly.Memory,
  argsAt: number,
  s: number,
): Promise<void> {
  const mem = new Float64Array(memory.buffer);
  const h = Array.from(mem.subarray(argsAt / 8, argsAt / 8 + H.length), (x) => x | 0);
  const n = h[H.n], count = h[H.count], d = h[H.d];
  if (replica?.key !== h[H.key]) {
    replica = null; // a new model: the last one's memory goes
    const kind: Kind = h[H.kind] === 0 ? "gaussian" : "binomial";
    const hidden = Array.from(mem.subarray(h[H.sizesAt], h[H.sizesAt] + h[H.layers]));
    const beta = mem.slice(h[H.betaAt], h[H.betaAt] + h[H.T]);
    const baseAt = h[H.baseAt], baseSize = (h[H.T] + 1) * d;
    const base = baseAt < 0 ? null : {
      a: mem.slice(baseAt, baseAt + baseSize),
      b: mem.slice(baseAt + baseSize, baseAt + 2 * baseSize),
      logitVariance: mem.slice(baseAt + 2 * baseSize, baseAt + 3 * baseSize),
    };
    const model = new ReverseModel({ kind, d, hidden, basis: h[H.basis] }, beta, base);
    const theta = mem.slice(h[H.thetaAt], h[H.thetaAt] + n);
    replica = {
      key: h[H.key],
      version: h[H.version],
      model,
      net: await SimdReverseModel.create(model, theta),
      grad: new Float64Array(n),
      kl: new Float64Array(count),
    };
  }
  const r = replica;
  const out = new Float64Array(memory.buffer); // (the memory may have grown meanwhile)
  if (r.version !== h[H.version]) {
    r.net.load(out.slice(h[H.thetaAt], h[H.thetaAt] + n));
    r.version = h[H.version];
  }
  if (h[H.mode] === MODE_CODE.reverse) {
    const xt = out.slice(h[H.xtAt], h[H.xtAt] + count * d);
    const mean = new Float64Array(count * d), variance = new Float64Array(count * d);
    const [from, rows] = reverseBlock(r.net, xt, out[h[H.tAt]], h[H.shards], s, mean, variance);
    const at = h[H.klAt];
    out.set(mean.subarray(from * d, (from + rows) * d), at + from * d);
    out.set(variance.subarray(from * d, (from + rows) * d), at + count * d + from * d);
    return;
  }
  if (r.kl.length !== count) r.kl = new Float64Array(count);
  const batch: Batch = {
    x0: out.slice(h[H.x0At], h[H.x0At] + count * d),
    xt: out.slice(h[H.xtAt], h[H.xtAt] + count * d),
    t: Int32Array.from(out.subarray(h[H.tAt], h[H.tAt] + count)),
  };
  if (h[H.mode] === MODE_CODE.kl) {
    const [from, rows] = klBlock(r.net, batch, s, r.kl);
    out.set(r.kl.subarray(from, from + rows), h[H.klAt] + from);
    return;
  }
  const [from, rows] = shardGradient(r.net, batch, h[H.shards], s, r.grad, r.kl);
  out.set(r.grad, h[H.gradAt] + s * n);
  out.set(r.kl.subarray(from, from + rows), h[H.klAt] + from);
}
