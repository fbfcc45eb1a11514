/**
 * The float64 kernel pool (DESIGN.md "Compute", layer 2): one shared WebAssembly memory, the
 * f64x2 kernels (the product, gemm_wat.ts; the tridiagonalisation's trailing pass,
 * tridiagonal_wat.ts) instantiated over it on the calling thread and on
 * `threads − 1` helper Workers, and a control block on which a job is posted and its tasks
 * handed out with Atomics (tasks.ts). A call blocks its caller, which computes tasks too,
 * until every task is done: the science stays synchronous code, and a run's Worker (never
 * the serving thread) is the caller.
 *
 * Memory is an arena reset by each top-level call: `alloc` hands out 16-byte-aligned byte
 * offsets, growing the shared memory when needed (the helpers see the growth: it is the
 * same memory); views over it are taken after the last alloc of a call.
 *
 * @module
 */
import { GEMM_WAT } from "./gemm_wat.ts";
import { compileWat, type WatSource } from "../wat.ts";
import { TRIDIAGONAL_WAT } from "./tridiagonal_wat.ts";
import {
  claim,
  CLOSED,
  CTRL,
  FARGS,
  GEN_MASK,
  genOf,
  kernelsOf,
  MAP_CHUNK,
  MAX_TASKS,
  MC,
  NAME_BYTES,
  nextWord,
  runTask,
  taskCount,
  type TaskEnv,
} from "./tasks.ts";
import { type EntrywiseMap, MAP_KINDS } from "./entrywise.ts";

/** The most helper threads a pool may have (the flag's bound, as for --threads). */
export const MAX_POOL_THREADS = 256;

let compiled: Promise<WebAssembly.Module> | undefined;

/** The float64 kernels' text: a shared memory, so never in a browser page that is not isolated. */
export const F64_KERNELS: WatSource = {
  name: "kernels_f64",
  text: `(module
      (import "env" "memory" (memory 1 65536 shared))
      ${GEMM_WAT}
      ${TRIDIAGONAL_WAT})`,
  features: { simd: true, threads: true },
};

/**
 * The same kernels over a memory that is not shared, for one thread where SharedArrayBuffer is
 * not to be had (a browser page that is not cross-origin isolated: a viewer's local run).
 */
export const F64_KERNELS_SOLO: WatSource = {
  name: "kernels_f64_solo",
  text: F64_KERNELS.text.replace("(memory 1 65536 shared)", "(memory 1 65536)"),
  features: { simd: true },
};

let compiledSolo: Promise<WebAssembly.Module> | undefined;

function compile(): Promise<WebAssembly.Module> {
  compiled ??= compileWat(F64_KERNELS);
  return compiled;
}

export interface GemmJob {
  /** byte offsets in the pool's memory */
  readonly a: number;
  readonly lda: number;
  readonly bp: number;
  readonly c: number;
  readonly ldc: number;
  /** rows of C (a multiple of 4), panels of 4 columns, the inner dimension */
  readonly rows: number;
  readonly panels: number;
  readonly k: number;
  readonly lower?: boolean;
}

/** A layer map over entries already in the memory (element offsets; entrywise.ts's layerStep). */
export interface MapJob {
  readonly map: EntrywiseMap;
  readonly kAt: number;
  /** Θ's offset, or −1 for none */
  readonly tAt: number;
  readonly count: number;
  /** lattice maps: where its four tables were copied (element offsets) */
  readonly tablesAt?: {
    readonly f: number;
    readonly df: number;
    readonly g: number;
    readonly dg: number;
  };
  readonly sigmaB2: number;
  readonly sigmaW2: number;
}

/** A step of the tridiagonalisation's trailing pass: byte offsets, S's stride in bytes. */
export interface TridiagonalJob {
  readonly s: number;
  readonly ld: number;
  readonly n: number;
  readonly from: number;
  readonly v: number;
  readonly w: number;
  readonly u: number;
  /** `tasks` × n doubles: each task's column sums */
  readonly z: number;
  readonly y: number;
  readonly tasks: number;
}

export class F64Pool {
  readonly #memory: WebAssembly.Memory;
  readonly #env: TaskEnv;
  readonly #ctrl: Int32Array;
  readonly #fargs: Float64Array;
  readonly #names: Uint8Array;
  readonly #helpers: Worker[];
  #top = 0;
  #closed = false;
  /** jobs run so far, products and maps (the runtime reports a run's: what really computed) */
  jobs = 0;
  /** TypeScript jobs (`moduleJob`) run so far, counted apart: they are not float64 kernels */
  tsJobs = 0;

  private constructor(env: TaskEnv, helpers: Worker[]) {
    this.#memory = env.memory;
    this.#env = env;
    this.#ctrl = env.ctrl;
    this.#fargs = env.fargs;
    this.#names = env.names;
    this.#helpers = helpers;
  }

  /**
   * A pool of `threads` threads: the caller and threads − 1 helpers. `ctrl` (from
   * `newKernelControl`) lets another thread end the helpers (`closeKernelControl`): a run's
   * Worker is terminated from outside, and its helpers would otherwise outlive it.
   */
  static async create(threads: number, ctrl = newKernelControl()): Promise<F64Pool> {
    if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_POOL_THREADS)) {
      throw new RangeError(
        `threads must be an integer in [1, ${MAX_POOL_THREADS}], got ${threads}`,
      );
    }
    const module = await compile();
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const fargs = new Float64Array(new SharedArrayBuffer(8 * FARGS.length));
    const names = new Uint8Array(new SharedArrayBuffer(NAME_BYTES));
    const helpers = await Promise.all(
      Array.from({ length: threads - 1 }, () =>
        new Promise<Worker>((resolve, reject) => {
          const w = new Worker(new URL("./pool_worker.ts", import.meta.url), { type: "module" });
          w.onmessage = () => resolve(w);
          w.onerror = (e) => {
            e.preventDefault();
            reject(new Error(`a kernel thread failed to start: ${e.message}`));
          };
          w.postMessage({ module, memory, ctrl, fargs, names });
        })),
    );
    return new F64Pool({ ...kernelsOf(instance), ctrl, fargs, names, memory }, helpers);
  }

  /**
   * A pool of the calling thread alone, on plain (not shared) memory: the same kernels and the
   * same bits (a job's results never depend on which thread ran a task), for a browser worker
   * whose page is not cross-origin isolated. Its Atomics calls act on ordinary arrays, and with
   * no helper a job's wait is never reached.
   */
  static async solo(): Promise<F64Pool> {
    compiledSolo ??= compileWat(F64_KERNELS_SOLO);
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536 });
    const instance = await WebAssembly.instantiate(await compiledSolo, { env: { memory } });
    const ctrl = new Int32Array(CTRL.length);
    const fargs = new Float64Array(FARGS.length);
    const names = new Uint8Array(NAME_BYTES);
    return new F64Pool({ ...kernelsOf(instance), ctrl, fargs, names, memory }, []);
  }

  /** Threads that compute a job: the caller and its helpers. */
  get threads(): number {
    return this.#helpers.length + 1;
  }

  /** Forget every allocation (the start of a top-level call). */
  reset(): void {
    this.#top = 0;
  }

  /** `bytes` of the shared memory, 16-byte aligned; throws a RangeError past WebAssembly's 4 GiB. */
  alloc(bytes: number): number {
    const at = this.#top;
    const end = at + Math.ceil(bytes / 16) * 16;
    const have = this.#memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / 65536);
      if (have / 65536 + pages > 65536) {
        throw new RangeError(
          `float64 kernels need ${(end / 2 ** 30).toFixed(1)} GiB, past WebAssembly's 4 GiB`,
        );
      }
      this.#memory.grow(pages);
    }
    this.#top = end;
    return at;
  }

  /** The memory as doubles (take it after the call's last alloc: growing replaces the buffer). */
  f64(): Float64Array {
    return new Float64Array(this.#memory.buffer);
  }

  /** C += A·B on blocks already in the memory, spread over every thread; returns when done. */
  gemm(job: GemmJob): void {
    if (this.#closed) throw new Error("the float64 kernel pool is closed");
    if (job.rows === 0 || job.panels === 0 || job.k === 0) return;
    const ctrl = this.#ctrl;
    // row blocks first; with fewer than two a thread, columns are split too (≥ 16 panels a task)
    const rowBlocks = Math.ceil(job.rows / MC);
    const split = Math.min(
      Math.ceil((2 * this.threads) / rowBlocks),
      Math.max(1, Math.floor(job.panels / 16)),
    );
    const chunk = Math.ceil(job.panels / Math.max(1, split));
    const tasks = taskCount(job.rows, job.panels, chunk);
    this.#dispatch(tasks, () => {
      ctrl[CTRL.job] = 0;
      ctrl[CTRL.a] = job.a;
      ctrl[CTRL.lda] = job.lda;
      ctrl[CTRL.bp] = job.bp;
      ctrl[CTRL.c] = job.c;
      ctrl[CTRL.ldc] = job.ldc;
      ctrl[CTRL.rows] = job.rows;
      ctrl[CTRL.panels] = job.panels;
      ctrl[CTRL.k] = job.k;
      ctrl[CTRL.lower] = job.lower ? 1 : 0;
      ctrl[CTRL.chunk] = chunk;
    });
  }

  /** One layer map over entries in the memory, spread over every thread; returns when done. */
  layerMap(job: MapJob): void {
    if (this.#closed) throw new Error("the float64 kernel pool is closed");
    if (job.count === 0) return;
    const ctrl = this.#ctrl, fargs = this.#fargs;
    this.#dispatch(Math.ceil(job.count / MAP_CHUNK), () => {
      ctrl[CTRL.job] = 1;
      ctrl[CTRL.mapKind] = MAP_KINDS.indexOf(job.map.kind);
      ctrl[CTRL.kAt] = job.kAt;
      ctrl[CTRL.tAt] = job.tAt;
      ctrl[CTRL.count] = job.count;
      const at = job.tablesAt;
      ctrl[CTRL.fAt] = at?.f ?? 0;
      ctrl[CTRL.dfAt] = at?.df ?? 0;
      ctrl[CTRL.gAt] = at?.g ?? 0;
      ctrl[CTRL.dgAt] = at?.dg ?? 0;
      ctrl[CTRL.points] = job.map.tables?.f.length ?? 0;
      fargs[FARGS.q] = job.map.q;
      fargs[FARGS.b] = job.sigmaB2;
      fargs[FARGS.w] = job.sigmaW2;
    });
  }

  /**
   * One step of the tridiagonalisation's trailing pass (tridiagonal_wat.ts) over rows
   * from…n−1 of S, in `tasks` row ranges of equal area (tasks.ts's triangleSplit): S's
   * entries updated in place, y's rows written, task t's column sums left in z + 8·n·t.
   * (A job of one task, a short trailing block, wakes no helper: #dispatch notifies only for
   * more.)
   */
  tridiagonalStep(job: TridiagonalJob): void {
    if (this.#closed) throw new Error("the float64 kernel pool is closed");
    const ctrl = this.#ctrl;
    this.#dispatch(job.tasks, () => {
      ctrl[CTRL.job] = 2;
      ctrl[CTRL.a] = job.s;
      ctrl[CTRL.lda] = job.ld;
      ctrl[CTRL.triN] = job.n;
      ctrl[CTRL.triFrom] = job.from;
      ctrl[CTRL.vAt] = job.v;
      ctrl[CTRL.wAt] = job.w;
      ctrl[CTRL.uAt] = job.u;
      ctrl[CTRL.zAt] = job.z;
      ctrl[CTRL.yAt] = job.y;
    });
  }

  /**
   * `tasks` tasks of TypeScript code (DESIGN.md "Compute": for loops too branchy to be a
   * kernel, and small models trained data-parallel): task t runs as `local(t)` here and as
   * `url#name`(memory, argsAt, t) on a helper, which imports the module at first use. Both
   * must compute the same thing from the arguments at `argsAt` in the memory (alloc'd and
   * written by the caller); a task writes only its own outputs there, so the results (and
   * their bits) do not depend on which thread ran which task. Throws if a helper's task threw.
   */
  moduleJob(
    url: string,
    name: string,
    argsAt: number,
    tasks: number,
    local: (t: number) => void,
  ): void {
    if (this.#closed) throw new Error("the float64 kernel pool is closed");
    if (tasks === 0) return;
    const ctrl = this.#ctrl;
    const encoded = new TextEncoder().encode(`${url}#${name}`);
    if (encoded.length > NAME_BYTES) throw new RangeError(`a task name past ${NAME_BYTES} bytes`);
    Atomics.store(ctrl, CTRL.failed, 0);
    this.tsJobs++;
    this.#dispatch(tasks, () => {
      ctrl[CTRL.job] = 3;
      this.#names.set(encoded);
      ctrl[CTRL.nameLength] = encoded.length;
      ctrl[CTRL.argsAt] = argsAt;
    }, local);
    if (Atomics.load(ctrl, CTRL.failed)) {
      throw new Error(`${name} failed on a kernel thread (its error is on stderr)`);
    }
  }

  /** The memory itself (a TypeScript task's views are taken over its buffer). */
  get memory(): WebAssembly.Memory {
    return this.#memory;
  }

  /**
   * Run `tasks` tasks of the job that `write` describes: close the last job's claims before
   * its arguments change, write, open this one, take tasks here too, wait for the rest.
   */
  #dispatch(tasks: number, write: () => void, local?: (t: number) => void): void {
    if (tasks > MAX_TASKS) throw new RangeError(`${tasks} tasks in one job, past ${MAX_TASKS}`);
    if (!local) this.jobs++;
    const ctrl = this.#ctrl;
    const gen = (genOf(Atomics.load(ctrl, CTRL.next)) + 1) & GEN_MASK;
    Atomics.store(ctrl, CTRL.next, nextWord(gen, CLOSED));
    write();
    Atomics.store(ctrl, CTRL.done, 0);
    Atomics.store(ctrl, CTRL.tasks, tasks);
    Atomics.store(ctrl, CTRL.next, nextWord(gen, 0));
    if (this.#helpers.length && tasks > 1) Atomics.notify(ctrl, CTRL.next);
    let failure: unknown = null;
    for (let t = claim(ctrl, gen); t >= 0; t = claim(ctrl, gen)) {
      // after a throw the rest are claimed and counted, not run: the next job may not open
      // while any of this one's tasks is still out
      if (failure === null) {
        try {
          if (local) local(t);
          else runTask(this.#env, t);
        } catch (e) {
          failure = e;
        }
      }
      Atomics.add(ctrl, CTRL.done, 1);
    }
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.done);
      if (done >= tasks) break;
      // the last helper notifies; the timeout only guards against a wake-up lost to a bug
      Atomics.wait(ctrl, CTRL.done, done, 100);
    }
    if (failure !== null) throw failure;
  }

  /** End the helpers. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    closeKernelControl(this.#ctrl);
    for (const w of this.#helpers) w.terminate();
  }
}

/** A pool's control block, shareable with the thread that may have to end it. */
export function newKernelControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * CTRL.length));
}

/** Tell a pool's helpers to end (they close themselves), from any thread. */
export function closeKernelControl(ctrl: Int32Array): void {
  Atomics.store(ctrl, CTRL.tasks, -1);
  const gen = (genOf(Atomics.load(ctrl, CTRL.next)) + 1) & GEN_MASK;
  Atomics.store(ctrl, CTRL.next, nextWord(gen, CLOSED)); // changed, so waiters wake
  Atomics.notify(ctrl, CTRL.next);
}
