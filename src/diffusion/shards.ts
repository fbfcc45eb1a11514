/**
 * The reverse model's training step, data-parallel (issue #28): a batch is cut into shards of
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
import { f64Pool } from "../compute/f64/mod.ts";
import { type Batch, type Kind, ReverseModel } from "./model.ts";
import { SimdReverseModel } from "./simd_model.ts";

/** Rows a shard holds at most: a batch of 200 is 4 shards of 50. */
export const SHARD_ROWS = 64;

/** Shard s of `count` rows (of `shards`): its first row and its row count, split evenly. */
export function shardRows(count: number, shards: number, s: number): [number, number] {
  const from = Math.floor((s * count) / shards);
  return [from, Math.floor(((s + 1) * count) / shards) - from];
}

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
  /** shards × n gradients, then count KL values */
  gradAt: 16,
  klAt: 17,
  length: 18,
} as const;

let nextKey = 1;

/** The batch's mean KL and its gradient, shard by shard (on the kernel pool when it has threads). */
export class ShardedGradient {
  readonly #model: ReverseModel;
  readonly #net: SimdReverseModel;
  readonly #key = nextKey++;
  #version = 0;
  #shardGrad: Float64Array;

  /** `net` must hold the θ each call is given (train.ts loads it after every step). */
  constructor(model: ReverseModel, net: SimdReverseModel) {
    this.#model = model;
    this.#net = net;
    this.#shardGrad = new Float64Array(model.n);
  }

  /** How many threads computed the last call's shards (for the run's meta). */
  threads = 1;

  /** Writes d(mean KL)/dθ at θ into grad; returns the mean KL. */
  lossAndGrad(theta: Float64Array, batch: Batch, grad: Float64Array): number {
    const count = batch.t.length;
    const shards = Math.ceil(count / SHARD_ROWS);
    const kl = new Float64Array(count);
    const pool = f64Pool();
    grad.fill(0);
    if (!pool || pool.threads === 1 || shards === 1) {
      this.threads = 1;
      for (let s = 0; s < shards; s++) {
        const [from, rows] = shardRows(count, shards, s);
        this.#shardGrad.fill(0);
        this.#net.klRows(batch, from, rows, kl, this.#shardGrad, 1 / count);
        for (let i = 0; i < grad.length; i++) grad[i] += this.#shardGrad[i];
      }
      return kl.reduce((a, b) => a + b, 0) / count;
    }
    this.threads = Math.min(pool.threads, shards);
    const { spec, beta, n } = this.#model;
    pool.reset();
    const at = (doubles: number) => pool.alloc(8 * doubles) / 8;
    const argsAt = at(H.length), sizesAt = at(spec.hidden.length), betaAt = at(beta.length);
    const thetaAt = at(n), x0At = at(batch.x0.length), xtAt = at(batch.xt.length);
    const tAt = at(count), gradAt = at(shards * n), klAt = at(count);
    const mem = pool.f64();
    const header = new Float64Array(H.length);
    header[H.key] = this.#key;
    header[H.version] = ++this.#version;
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
    header[H.shards] = shards;
    header[H.x0At] = x0At;
    header[H.xtAt] = xtAt;
    header[H.tAt] = tAt;
    header[H.gradAt] = gradAt;
    header[H.klAt] = klAt;
    mem.set(header, argsAt);
    mem.set(spec.hidden, sizesAt);
    mem.set(beta, betaAt);
    mem.set(theta, thetaAt);
    mem.set(batch.x0, x0At);
    mem.set(batch.xt, xtAt);
    mem.set(batch.t, tAt);
    pool.moduleJob(import.meta.url, "shardTask", 8 * argsAt, shards, (s) => {
      const [from, rows] = shardRows(count, shards, s);
      this.#shardGrad.fill(0);
      this.#net.klRows(batch, from, rows, kl, this.#shardGrad, 1 / count);
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
 * Shard s of a `ShardedGradient` call, on a helper thread: the replica is built at the
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
    const model = new ReverseModel({ kind, d, hidden, basis: h[H.basis] }, beta);
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
  if (r.kl.length !== count) r.kl = new Float64Array(count);
  const batch: Batch = {
    x0: out.slice(h[H.x0At], h[H.x0At] + count * d),
    xt: out.slice(h[H.xtAt], h[H.xtAt] + count * d),
    t: Int32Array.from(out.subarray(h[H.tAt], h[H.tAt] + count)),
  };
  const [from, rows] = shardRows(count, h[H.shards], s);
  r.grad.fill(0);
  r.net.klRows(batch, from, rows, r.kl, r.grad, 1 / count);
  out.set(r.grad, h[H.gradAt] + s * n);
  out.set(r.kl.subarray(from, from + rows), h[H.klAt] + from);
}
