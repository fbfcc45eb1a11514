/**
 * The float64 kernels' public surface: this thread's pool (started once, by the runtime
 * before a run, or by a test), and the products and factorisations that use it. Code that
 * runs with no pool started (a unit test of the science, `list`) computes the same things
 * in plain TypeScript: `f64Pool()` is null there, and the callers fall back.
 *
 * @module
 */
import { F64Pool } from "./pool.ts";

export { closeKernelControl, F64Pool, MAX_POOL_THREADS, newKernelControl } from "./pool.ts";
export { gemm, type GemmOptions } from "./gemm.ts";
export { choleskyPool } from "./cholesky.ts";
export { solveLowerRows } from "./triangular.ts";
export { type ModuleTask, shardRows } from "./tasks.ts";

let pool: F64Pool | null = null;
let starting: Promise<F64Pool> | null = null;

/**
 * Start this thread's pool of `threads` threads (once: later calls get the same pool); `ctrl`:
 * a control block another thread may end it by (F64Pool.create).
 */
export function startF64Pool(threads: number, ctrl?: Int32Array): Promise<F64Pool> {
  return startOnce(() => F64Pool.create(threads, ctrl));
}

/**
 * Start this thread's pool as one thread on plain memory (F64Pool.solo: a browser page that is
 * not cross-origin isolated has no SharedArrayBuffer); once, as startF64Pool.
 */
export function startSoloF64Pool(): Promise<F64Pool> {
  return startOnce(() => F64Pool.solo());
}

/** The pool `make` builds, made once per thread (a failed start may be tried again). */
function startOnce(make: () => Promise<F64Pool>): Promise<F64Pool> {
  starting ??= make().then((p) => (pool = p)).catch((e) => {
    starting = null;
    throw e;
  });
  return starting;
}

/** End this thread's pool (its helpers would keep `deno run` alive); a later start makes a new one. */
export function stopF64Pool(): void {
  pool?.close();
  pool = null;
  starting = null;
}

/** This thread's pool, if one was started. */
export function f64Pool(): F64Pool | null {
  return pool;
}

/** What computes float64 products here, for the `meta` row: "wasm-simd f64x2 × 2 threads" or "js". */
export function f64Backend(): string {
  return pool ? `wasm-simd f64x2 × ${pool.threads} thread${pool.threads > 1 ? "s" : ""}` : "js";
}
