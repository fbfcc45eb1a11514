/**
 * The RBM's CD-1 step on every core (issue #28): the batch is cut into shards of at most
 * RBM_SHARD_ROWS rows, fixed by the batch size alone; each shard's statistics (three
 * products, the samples, the gradient's outer products) are computed on their own, here or
 * by a replica of the machine on a helper thread of the kernel pool, and summed in shard
 * order in float64. h0's draws are taken before the step, in the order one pass over the
 * batch takes them, so the bits depend on neither the thread count nor who ran a shard.
 *
 * Why shards and not threaded products: the 1024 × 256 layer's products are 26–52 MFLOP,
 * big enough to split, but the loops between them (sigmoids, samples, transposes) are a
 * third of a step; a shard takes them along.
 *
 * @module
 */
import { type F64Pool, f64Pool, shardRows } from "../compute/f64/mod.ts";
import { Rng } from "../random/rng.ts";
import { SimdRbm } from "./rbm.ts";

/** Rows a shard holds at most: a batch of 50 is 2 shards of 25. */
export const RBM_SHARD_ROWS = 32;

/** The batch's CD-1 bias statistics, summed over its shards; G's stay per shard in the machine. */
export interface CdSums {
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly err: number;
}

/** `rbmShardTask`'s header, doubles at argsAt; the *At are byte offsets. */
const H = {
  key: 0,
  version: 1,
  nv: 2,
  nh: 3,
  batch: 4,
  shards: 5,
  /** W (float32 nv × nh), b and c (float64) */
  wAt: 6,
  bAt: 7,
  cAt: 8,
  /** v0 (float32 batch × nv), the draws (float64 batch × nh) */
  vAt: 9,
  uAt: 10,
  /** per shard: G (float32 nv × nh), db (float64 nv), dc (float64 nh), err (float64) */
  gAt: 11,
  dbAt: 12,
  dcAt: 13,
  errAt: 14,
  length: 15,
} as const;

interface Scratch {
  readonly key: number;
  version: number;
  readonly db: Float64Array;
  readonly dc: Float64Array;
  readonly dbShard: Float64Array;
  readonly dcShard: Float64Array;
}

let nextKey = 1;
const scratch = new WeakMap<SimdRbm, Scratch>();

/**
 * CD-1's statistics of the whole batch v0 (batch × nv), h0 drawn against `uniforms`: each
 * shard's G into `rbm.shardGradient(s)` (applyUpdate sums them), the bias sums returned.
 */
export function cdStatistics(
  rbm: SimdRbm,
  v0: ArrayLike<number>,
  uniforms: Float64Array,
): CdSums {
  const { nv, nh, batch, shards } = rbm;
  let z = scratch.get(rbm);
  if (!z) {
    z = {
      key: nextKey++,
      version: 0,
      db: new Float64Array(nv),
      dc: new Float64Array(nh),
      dbShard: new Float64Array(nv),
      dcShard: new Float64Array(nh),
    };
    scratch.set(rbm, z);
  }
  z.version++; // W, b and c change every step
  const { db, dc, dbShard, dcShard } = z;
  db.fill(0);
  dc.fill(0);
  let err = 0;
  const add = (dbs: ArrayLike<number>, dcs: ArrayLike<number>) => {
    for (let i = 0; i < nv; i++) db[i] += dbs[i];
    for (let j = 0; j < nh; j++) dc[j] += dcs[j];
  };
  const shardOf = (s: number) => {
    const [from, rows] = shardRows(batch, shards, s);
    const u = uniforms.subarray(from * nh, (from + rows) * nh);
    return rbm.statistics(v0, from, rows, u, rbm.shardGradient(s), dbShard, dcShard);
  };
  const pool = f64Pool();
  if (!pool || pool.threads === 1 || shards === 1) {
    for (let s = 0; s < shards; s++) {
      err += shardOf(s);
      add(dbShard, dcShard);
    }
    return { db, dc, err };
  }
  const h = writeJob(pool, rbm, z, v0, uniforms);
  const here = new Set<number>(); // the shards this thread ran: their G is in place already
  pool.moduleJob(import.meta.url, "rbmShardTask", h.argsAt, shards, (s) => {
    const e = shardOf(s);
    writeBiases(pool.memory, h, s, dbShard, dcShard, e);
    here.add(s);
  });
  const buf = pool.memory.buffer;
  for (let s = 0; s < shards; s++) {
    if (!here.has(s)) {
      rbm.shardGradient(s).set(new Float32Array(buf, h.gAt + 4 * s * nv * nh, nv * nh));
    }
    add(
      new Float64Array(buf, h.dbAt + 8 * s * nv, nv),
      new Float64Array(buf, h.dcAt + 8 * s * nh, nh),
    );
    err += new Float64Array(buf, h.errAt + 8 * s, 1)[0];
  }
  return { db, dc, err };
}

type Header = { argsAt: number } & Record<Exclude<keyof typeof H, "length">, number>;

function writeJob(
  pool: F64Pool,
  rbm: SimdRbm,
  z: Scratch,
  v0: ArrayLike<number>,
  uniforms: Float64Array,
): Header {
  const { nv, nh, batch, shards } = rbm;
  pool.reset();
  const h: Header = {
    argsAt: pool.alloc(8 * H.length),
    key: z.key,
    version: z.version,
    nv,
    nh,
    batch,
    shards,
    wAt: pool.alloc(4 * nv * nh),
    bAt: pool.alloc(8 * nv),
    cAt: pool.alloc(8 * nh),
    vAt: pool.alloc(4 * batch * nv),
    uAt: pool.alloc(8 * batch * nh),
    gAt: pool.alloc(4 * shards * nv * nh),
    dbAt: pool.alloc(8 * shards * nv),
    dcAt: pool.alloc(8 * shards * nh),
    errAt: pool.alloc(8 * shards),
  };
  const buf = pool.memory.buffer;
  const header = new Float64Array(buf, h.argsAt, H.length);
  for (const [name, slot] of Object.entries(H)) {
    if (name !== "length") header[slot] = h[name as keyof Header];
  }
  new Float32Array(buf, h.wAt, nv * nh).set(rbm.W);
  new Float64Array(buf, h.bAt, nv).set(rbm.b);
  new Float64Array(buf, h.cAt, nh).set(rbm.c);
  const v = new Float32Array(buf, h.vAt, batch * nv);
  if (v0 instanceof Float32Array) v.set(v0.subarray(0, batch * nv));
  else for (let q = 0; q < batch * nv; q++) v[q] = v0[q];
  new Float64Array(buf, h.uAt, batch * nh).set(uniforms);
  return h;
}

/** A shard's bias sums and error into the job's memory (its G is written in place). */
function writeBiases(
  memory: WebAssembly.Memory,
  h: Header,
  s: number,
  db: Float64Array,
  dc: Float64Array,
  err: number,
): void {
  const { nv, nh } = h, buf = memory.buffer;
  new Float64Array(buf, h.dbAt + 8 * s * nv, nv).set(db);
  new Float64Array(buf, h.dcAt + 8 * s * nh, nh).set(dc);
  new Float64Array(buf, h.errAt + 8 * s, 1)[0] = err;
}

/** A helper thread's replica of the machine a job's key names. */
let replica: {
  key: number;
  version: number;
  rbm: SimdRbm;
  db: Float64Array;
  dc: Float64Array;
} | null = null;

/**
 * Shard s of a `cdStatistics` job on a helper thread: the replica (built at the machine's
 * first job here) takes W, b and c once a step, then the shard's rows, copied out of the
 * shared memory (V8 reads typed arrays over it more slowly).
 */
export async function rbmShardTask(
  memory: WebAssembly.Memory,
  argsAt: number,
  s: number,
): Promise<void> {
  const raw = new Float64Array(memory.buffer, argsAt, H.length);
  const h = { argsAt } as Header;
  for (const [name, slot] of Object.entries(H)) {
    if (name !== "length") h[name as Exclude<keyof typeof H, "length">] = raw[slot] >>> 0;
  }
  const { nv, nh, batch, shards } = h;
  if (replica?.key !== h.key) {
    replica = null;
    const rbm = await SimdRbm.create(nv, nh, Math.ceil(batch / shards), new Rng(0));
    replica = {
      key: h.key,
      version: -1,
      rbm,
      db: new Float64Array(nv),
      dc: new Float64Array(nh),
    };
  }
  const r = replica;
  const buf = memory.buffer;
  if (r.version !== h.version) {
    r.rbm.W.set(new Float32Array(buf, h.wAt, nv * nh));
    r.rbm.b.set(new Float64Array(buf, h.bAt, nv));
    r.rbm.c.set(new Float64Array(buf, h.cAt, nh));
    r.version = h.version;
  }
  const [from, rows] = shardRows(batch, shards, s);
  const v0 = new Float32Array(buf, h.vAt + 4 * from * nv, rows * nv).slice();
  const u = new Float64Array(buf, h.uAt + 8 * from * nh, rows * nh).slice();
  const g = new Float32Array(buf, h.gAt + 4 * s * nv * nh, nv * nh); // G straight into the job's memory
  const err = r.rbm.statistics(v0, 0, rows, u, g, r.db, r.dc);
  writeBiases(memory, h, s, r.db, r.dc, err);
}
