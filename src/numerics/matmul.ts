/**
 * Float64 matrix products for the science: on this thread's kernel pool when one is started
 * (src/compute/f64: f64x2 SIMD across every core) and the product is big enough to pay for
 * copying into it, else a plain loop — the same sums in the same order (k ascending, α
 * applied to B's entries), so both give the same bits.
 *
 * @module
 */
import { f64Pool, gemm, type GemmOptions } from "../compute/f64/mod.ts";

/** Below this many multiply-adds the copies into the pool cost more than they save. */
const POOL_MIN_WORK = 64 ** 3;

/** α·A·op(B) (+ C), row-major: A m × k, op(B) k × n (B given n × k with transB). */
export function matmul(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  opts: GemmOptions = {},
): Float64Array<ArrayBuffer> {
  const pool = f64Pool();
  if (pool && m * k * n >= POOL_MIN_WORK) return gemm(pool, a, b, m, k, n, opts);
  const alpha = opts.alpha ?? 1;
  const out = new Float64Array(m * n);
  if (opts.c) out.set(opts.c.subarray(0, m * n));
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      if (opts.transB) {
        for (let j = 0; j < n; j++) out[row + j] += x * (alpha * b[j * k + p]);
      } else {
        for (let j = 0; j < n; j++) out[row + j] += x * (alpha * b[p * n + j]);
      }
    }
  }
  return out;
}
