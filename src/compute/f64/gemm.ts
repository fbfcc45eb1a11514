/**
 * C = α·A·op(B) (+ C) in float64 on the kernel pool: A (m × k) and C (m × n) copied into the
 * pool's memory with their rows padded to a multiple of 4 (zero rows: the kernel works on
 * 4 × 4 blocks), and B packed into panels of four columns, k-block by k-block, scaled by α
 * (packB below; tasks.ts splits the work). The copies cost O(mk + kn + mn) against the
 * product's 2mnk.
 *
 * @module
 */
import type { F64Pool } from "./pool.ts";
import { KC } from "./tasks.ts";

export interface GemmOptions {
  /** B is given n × k (its rows are op(B)'s columns): A·Bᵀ, as for Gram matrices */
  readonly transB?: boolean;
  readonly alpha?: number;
  /** added to the product (β = 1); m × n */
  readonly c?: Float64Array;
}

const up4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * Pack op(B) (k × n) from `b` into `out` at element `at`: k-block by k-block, each block
 * panel by panel (kc × 4 doubles, the panel's four columns side by side), columns past n zero.
 */
export function packB(
  out: Float64Array,
  at: number,
  b: Float64Array,
  k: number,
  n: number,
  transB: boolean,
  alpha: number,
  ldb = transB ? k : n,
): void {
  const panels = up4(n) / 4;
  let o = at;
  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    for (let p = 0; p < panels; p++) {
      const j = 4 * p;
      if (j + 4 <= n && transB) {
        // four rows of B, read along k side by side
        const r0 = j * ldb, r1 = r0 + ldb, r2 = r1 + ldb, r3 = r2 + ldb;
        for (let kk = k0; kk < k0 + kc; kk++) {
          out[o] = alpha * b[r0 + kk];
          out[o + 1] = alpha * b[r1 + kk];
          out[o + 2] = alpha * b[r2 + kk];
          out[o + 3] = alpha * b[r3 + kk];
          o += 4;
        }
      } else if (j + 4 <= n) {
        for (let kk = k0; kk < k0 + kc; kk++) {
          const r = kk * ldb + j;
          out[o] = alpha * b[r];
          out[o + 1] = alpha * b[r + 1];
          out[o + 2] = alpha * b[r + 2];
          out[o + 3] = alpha * b[r + 3];
          o += 4;
        }
      } else {
        // the last, partial panel: columns past n are zero
        for (let kk = k0; kk < k0 + kc; kk++) {
          for (let c = 0; c < 4; c++) {
            out[o++] = j + c < n
              ? alpha * (transB ? b[(j + c) * ldb + kk] : b[kk * ldb + j + c])
              : 0;
          }
        }
      }
    }
  }
}

/** α·A·op(B) (+ C): m × n, row-major. */
export function gemm(
  pool: F64Pool,
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  opts: GemmOptions = {},
): Float64Array<ArrayBuffer> {
  if (a.length < m * k || b.length < k * n || (opts.c && opts.c.length < m * n)) {
    throw new RangeError(`gemm: operands smaller than ${m} × ${k} · ${k} × ${n}`);
  }
  const out = new Float64Array(m * n);
  if (m === 0 || n === 0) return out;
  if (k === 0) {
    if (opts.c) out.set(opts.c.subarray(0, m * n));
    return out;
  }
  const m4 = up4(m), n4 = up4(n);
  pool.reset();
  const aAt = pool.alloc(8 * m4 * k);
  const bAt = pool.alloc(8 * k * n4);
  const cAt = pool.alloc(8 * m4 * n4);
  const mem = pool.f64();
  mem.set(a.subarray(0, m * k), aAt / 8);
  mem.fill(0, aAt / 8 + m * k, aAt / 8 + m4 * k);
  packB(mem, bAt / 8, b, k, n, opts.transB ?? false, opts.alpha ?? 1);
  const c0 = cAt / 8;
  mem.fill(0, c0, c0 + m4 * n4);
  if (opts.c) {
    for (let i = 0; i < m; i++) {
      mem.set(opts.c.subarray(i * n, i * n + n), c0 + i * n4);
    }
  }
  pool.gemm({ a: aAt, lda: 8 * k, bp: bAt, c: cAt, ldc: 8 * n4, rows: m4, panels: n4 / 4, k });
  for (let i = 0; i < m; i++) out.set(mem.subarray(c0 + i * n4, c0 + i * n4 + n), i * n);
  return out;
}
