/**
 * The float64 pool's jobs and their tasks, shared by the calling thread and the helpers. A
 * layer map over a kernel matrix's entries (entrywise.ts), in chunks; a step of the
 * tridiagonalisation's trailing pass, in row ranges of equal area; or C += A·B over a
 * padded block, split into row blocks of MC rows, each block walking B's
 * k-blocks in order (its rows of C see every k-block, so no two tasks write the same bytes).
 * With `lower`, a row block stops at its own last column (a symmetric update's lower half:
 * half the work of Cholesky's trailing update).
 *
 * The control block (an Int32Array on a SharedArrayBuffer) holds the job: CTRL names its
 * slots. Every offset and length is in bytes or elements as named.
 *
 * @module
 */
import { type EntrywiseMap, layerStep, MAP_KINDS } from "./entrywise.ts";

/** Rows of C per task: A's 64 × KC block (128 KiB) stays in L2 while B's panels pass. */
export const MC = 64;
/** The k-block: one panel of B, KC × 4 doubles (8 KiB), stays in L1 across a row block. */
export const KC = 256;

export const CTRL = {
  /**
   * the job's generation (high 12 bits) and the next task to take (low 20 bits); helpers
   * wait on it, and a claim is a compare-exchange that fails once the job is another's
   */
  next: 0,
  /** tasks in the job (−1: close) */
  tasks: 1,
  /** tasks finished */
  done: 2,
  a: 3,
  /** A's row stride, bytes */
  lda: 4,
  /** packed B (gemm.ts's packB) */
  bp: 5,
  c: 6,
  /** C's row stride, bytes */
  ldc: 7,
  /** rows of C (a multiple of 4) */
  rows: 8,
  /** panels of four columns of C */
  panels: 9,
  /** the inner dimension */
  k: 10,
  /** 1: only the lower half (a row block's columns end at its last row) */
  lower: 11,
  /** panels per task: a short, wide C is split by columns too, so every thread has work */
  chunk: 12,
  /** the job: 0 a product (the slots above), 1 a layer map over entries (the slots below) */
  job: 13,
  /** MAP_KINDS's index of the map */
  mapKind: 14,
  /** element offsets of K and Θ (−1: no Θ) in the memory, and the entries to map */
  kAt: 15,
  tAt: 16,
  count: 17,
  /** element offsets of the lattice's four tables, and its points */
  fAt: 18,
  dfAt: 19,
  gAt: 20,
  dgAt: 21,
  points: 22,
  /**
   * job 2, a step of the tridiagonalisation's trailing pass (tridiagonal_wat.ts): S at `a`
   * with row stride `lda` (bytes); its order and first row; byte offsets of the vectors v, w,
   * u, of the tasks' column sums z (n doubles each, task after task) and of the row sums y
   */
  triN: 23,
  triFrom: 24,
  vAt: 25,
  wAt: 26,
  uAt: 27,
  zAt: 28,
  yAt: 29,
  /**
   * job 3, a TypeScript task (modules.ts): the byte offset in the memory of the job's
   * arguments, the length of its "url#export" name in `names`, and 1 once a task has thrown
   */
  argsAt: 30,
  nameLength: 31,
  failed: 32,
  length: 33,
} as const;

/** Bytes for a TypeScript job's "url#export" name (a file URL and a function name). */
export const NAME_BYTES = 4096;

/** Float arguments of a map job, in their own shared Float64Array: q, σb², σw². */
export const FARGS = { q: 0, b: 1, w: 2, length: 3 } as const;

/** Entries per task of a map job. */
export const MAP_CHUNK = 1 << 15;

const INDEX_BITS = 20;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Generations wrap: a claim only compares them for equality. */
export const GEN_MASK = 0xfff;

/** A `next` word's index when its job takes no more claims (at or past every task count). */
export const CLOSED = INDEX_MASK;

/** The `next` word of generation `gen` at task `index` (CLOSED: nothing to take). */
export const nextWord = (gen: number, index: number) => ((gen << INDEX_BITS) | index) | 0;

/** The generation a `next` word belongs to. */
export const genOf = (word: number) => word >>> INDEX_BITS;

/**
 * Take the next task of generation `gen`: its index, or −1 when none is left or the job is
 * no longer that generation's. The pool opens a job by storing its word only after its
 * arguments and task count are written, and closes the previous one first (index CLOSED),
 * so a claim that succeeds read the count and arguments of its own job.
 */
export function claim(ctrl: Int32Array, gen: number): number {
  for (;;) {
    const w = Atomics.load(ctrl, CTRL.next);
    if (genOf(w) !== gen) return -1;
    const i = w & INDEX_MASK;
    if (i >= Atomics.load(ctrl, CTRL.tasks)) return -1;
    if (Atomics.compareExchange(ctrl, CTRL.next, w, w + 1) === w) return i;
  }
}

/** The largest task count a job may have (below CLOSED, so that a closed word takes none). */
export const MAX_TASKS = CLOSED - 1;

/**
 * Shard s of `count` rows cut into `shards` near-equal shards: its first row and row count.
 * A data-parallel job's shards are fixed by its batch, not by the threads (the bits then do
 * not depend on them): the diffusion model's and the RBM's training steps use this cut.
 */
export function shardRows(count: number, shards: number, s: number): [number, number] {
  const from = Math.floor((s * count) / shards);
  return [from, Math.floor(((s + 1) * count) / shards) - from];
}

/** tridiagonal_wat.ts's tridiag_rows. */
export type TridiagonalKernel = (
  s: number,
  ld: number,
  n: number,
  i0: number,
  i1: number,
  v: number,
  w: number,
  u: number,
  z: number,
  y: number,
) => void;

/**
 * First row of task t of `tasks` over rows from…n−1 of an upper triangle: rows get shorter,
 * so the split is by area (the rows after a boundary hold (1 − t/tasks) of it). A function of
 * the job alone, not of the threads: the sums, and so the bits, are the same on any count.
 */
export function triangleSplit(from: number, n: number, tasks: number, t: number): number {
  const m = n - from;
  return from + Math.round(m * (1 - Math.sqrt(1 - t / tasks)));
}

export type TileKernel = (
  a: number,
  lda: number,
  bp: number,
  kc: number,
  c: number,
  ldc: number,
  rows: number,
  panels: number,
) => void;

/** How many tasks a job of `rows` rows and `panels` panels is split into, `chunk` panels each. */
export function taskCount(rows: number, panels: number, chunk: number): number {
  return Math.ceil(rows / MC) * Math.ceil(panels / chunk);
}

/** What a thread needs to run any task: the product kernel, the control block, the memory. */
export interface TaskEnv {
  readonly tile: TileKernel;
  readonly tridiagRows: TridiagonalKernel;
  readonly ctrl: Int32Array;
  readonly fargs: Float64Array;
  /** a TypeScript job's "url#export" (job 3), UTF-8 */
  readonly names: Uint8Array;
  readonly memory: WebAssembly.Memory;
}

/** The kernels of an instance of pool.ts's module. */
export function kernelsOf(
  instance: WebAssembly.Instance,
): { tile: TileKernel; tridiagRows: TridiagonalKernel } {
  const exports = instance.exports as unknown as {
    tile: TileKernel;
    tridiag_rows: TridiagonalKernel;
  };
  return { tile: exports.tile, tridiagRows: exports.tridiag_rows };
}

/**
 * Task t of the job in `ctrl`. Only a TypeScript task (job 3) on a helper may return a
 * promise: its module is imported at first use, and it may set up per-thread state.
 */
export function runTask(env: TaskEnv, t: number): void | Promise<void> {
  const job = env.ctrl[CTRL.job];
  if (job === 1) mapTask(env, t);
  else if (job === 2) tridiagonalTask(env, t);
  else if (job === 3) return moduleTask(env, t);
  else productTask(env.tile, env.ctrl, t);
}

/**
 * A TypeScript task: `fn(memory, argsAt, t)`, exported by the module the job names. The
 * helpers import it once each (this thread's cache); the caller runs its own tasks
 * through the function it passed (pool.ts's `moduleJob`), so it never waits on an import.
 */
export type ModuleTask = (
  memory: WebAssembly.Memory,
  argsAt: number,
  t: number,
) => void | Promise<void>;

const imported = new Map<string, ModuleTask>();

function moduleTask(env: TaskEnv, t: number): void | Promise<void> {
  const { ctrl, names, memory } = env;
  const name = new TextDecoder().decode(names.slice(0, ctrl[CTRL.nameLength]));
  const argsAt = ctrl[CTRL.argsAt];
  const fn = imported.get(name);
  if (fn) return fn(memory, argsAt, t);
  const hash = name.lastIndexOf("#");
  return import(name.slice(0, hash)).then((m) => {
    const f = m[name.slice(hash + 1)] as ModuleTask | undefined;
    if (typeof f !== "function") throw new Error(`${name} is not an exported function`);
    imported.set(name, f);
    return f(memory, argsAt, t);
  });
}

/** Task t of a tridiagonalisation step: its own column sums zeroed, then its rows. */
function tridiagonalTask({ tridiagRows, ctrl, memory }: TaskEnv, t: number): void {
  const n = ctrl[CTRL.triN], from = ctrl[CTRL.triFrom], tasks = ctrl[CTRL.tasks];
  const z = ctrl[CTRL.zAt] + 8 * n * t;
  new Float64Array(memory.buffer, z, n).fill(0, from);
  tridiagRows(
    ctrl[CTRL.a],
    ctrl[CTRL.lda],
    n,
    triangleSplit(from, n, tasks, t),
    triangleSplit(from, n, tasks, t + 1),
    ctrl[CTRL.vAt],
    ctrl[CTRL.wAt],
    ctrl[CTRL.uAt],
    z,
    ctrl[CTRL.yAt],
  );
}

/** Entries [t·MAP_CHUNK, …) of a layer map (entrywise.ts's layerStep, as on one thread). */
function mapTask({ ctrl, fargs, memory }: TaskEnv, t: number): void {
  const mem = new Float64Array(memory.buffer); // after the job's allocations: it may have grown
  const count = ctrl[CTRL.count], points = ctrl[CTRL.points];
  const table = (slot: number) => mem.subarray(ctrl[slot], ctrl[slot] + points);
  const kind = MAP_KINDS[ctrl[CTRL.mapKind]];
  const map: EntrywiseMap = {
    kind,
    q: fargs[FARGS.q],
    tables: kind === "lattice"
      ? { f: table(CTRL.fAt), df: table(CTRL.dfAt), g: table(CTRL.gAt), dg: table(CTRL.dgAt) }
      : undefined,
  };
  const k = mem.subarray(ctrl[CTRL.kAt], ctrl[CTRL.kAt] + count);
  const tAt = ctrl[CTRL.tAt];
  const theta = tAt < 0 ? null : mem.subarray(tAt, tAt + count);
  const from = t * MAP_CHUNK;
  layerStep(map, k, theta, from, Math.min(count, from + MAP_CHUNK), fargs[FARGS.b], fargs[FARGS.w]);
}

/**
 * Task t of a product job: one row block of MC rows of C (t mod the row blocks) and one
 * chunk of its panels, every k-block in turn. Each element of C is summed in the same order
 * whatever the split, so the bits do not depend on the number of threads.
 */
function productTask(tile: TileKernel, ctrl: Int32Array, t: number): void {
  const rows = ctrl[CTRL.rows], k = ctrl[CTRL.k], lda = ctrl[CTRL.lda], ldc = ctrl[CTRL.ldc];
  const rowBlocks = Math.ceil(rows / MC);
  const r0 = (t % rowBlocks) * MC;
  const p0 = Math.floor(t / rowBlocks) * ctrl[CTRL.chunk];
  const mr = Math.min(MC, rows - r0);
  const end = ctrl[CTRL.lower] ? Math.min(ctrl[CTRL.panels], (r0 + mr) / 4) : ctrl[CTRL.panels];
  const panels = Math.min(end, p0 + ctrl[CTRL.chunk]) - p0;
  if (panels <= 0) return;
  const a = ctrl[CTRL.a] + r0 * lda, c = ctrl[CTRL.c] + r0 * ldc + 32 * p0;
  // packed B: k-block kb starts after kb full blocks of every panel (gemm.ts's packB)
  const blockBytes = KC * 32 * ctrl[CTRL.panels];
  for (let k0 = 0, kb = 0; k0 < k; k0 += KC, kb++) {
    const kc = Math.min(KC, k - k0);
    tile(a + 8 * k0, lda, ctrl[CTRL.bp] + kb * blockBytes + p0 * kc * 32, kc, c, ldc, mr, panels);
  }
}
