/**
 * Blocked Cholesky on the float64 kernel pool (right-looking, LAPACK's dpotrf order): for
 * each diagonal block of NB columns, factor it in place (NB³/3 flops, plain code), solve
 * for the panel below it as a product with the block's inverse (L21 = A21 L11⁻ᵀ: a GEMM
 * instead of a triangular solve, so every thread shares it; the inverse of a triangular
 * factor costs error ∝ cond(L11) ε = √cond(A11) ε, far below the kernels' jitter), then the
 * trailing update A22 −= L21 L21ᵀ on its lower half only. The updates carry n³/3 of the
 * n³/3 + O(n² NB) flops, all in the pool's product kernel.
 *
 * The matrix is padded to a multiple of 4 with an identity block (positive definite, and
 * coupled to nothing), so every block the kernel sees is whole 4 × 4 tiles.
 *
 * @module
 */
import type { F64Pool } from "./pool.ts";
import { packB } from "./gemm.ts";

/** Columns per diagonal block: the panel solve and the update's k (a multiple of 4). */
export const NB = 96;

const up4 = (n: number) => Math.ceil(n / 4) * 4;

/** In place, rows of `ld`: the lower Cholesky factor of the b × b block at (j, j). */
function factorBlock(m: Float64Array, ld: number, j: number, b: number): void {
  for (let c = j; c < j + b; c++) {
    const rc = c * ld;
    let d = m[rc + c];
    for (let k = j; k < c; k++) d -= m[rc + k] * m[rc + k];
    if (!(d > 0)) throw new RangeError(`cholesky: not positive definite (pivot ${c} is ${d})`);
    const lcc = Math.sqrt(d);
    m[rc + c] = lcc;
    for (let i = c + 1; i < j + b; i++) {
      const ri = i * ld;
      let s = m[ri + c];
      for (let k = j; k < c; k++) s -= m[ri + k] * m[rc + k];
      m[ri + c] = s / lcc;
    }
  }
}

/** The inverse of the lower-triangular b × b block at (j, j), as a dense b × b array. */
export function invertLower(m: Float64Array, ld: number, j: number, b: number): Float64Array {
  const x = new Float64Array(b * b);
  for (let c = 0; c < b; c++) {
    x[c * b + c] = 1 / m[(j + c) * ld + j + c];
    for (let i = c + 1; i < b; i++) {
      const ri = (j + i) * ld + j;
      let s = 0;
      for (let k = c; k < i; k++) s += m[ri + k] * x[k * b + c];
      x[i * b + c] = -s / m[ri + i];
    }
  }
  return x;
}

/** Lower-triangular L with A = L Lᵀ (row-major n × n); a RangeError if A is not positive definite. */
export function choleskyPool(pool: F64Pool, a: Float64Array, n: number): Float64Array {
  const n4 = up4(n);
  pool.reset();
  const at = pool.alloc(8 * n4 * n4);
  const panelAt = pool.alloc(8 * n4 * NB); // L21 packed (negated), or L11⁻ᵀ packed
  const tAt = pool.alloc(8 * n4 * NB); // L21 = A21 L11⁻ᵀ before it is copied in place
  const mem = pool.f64();
  const m0 = at / 8;
  for (let i = 0; i < n4; i++) {
    const row = m0 + i * n4;
    mem.fill(0, row, row + n4);
    if (i < n) mem.set(a.subarray(i * n, i * n + n), row);
    else mem[row + i] = 1;
  }
  const m = mem.subarray(m0, m0 + n4 * n4);
  for (let j = 0; j < n4; j += NB) {
    const b = Math.min(NB, n4 - j);
    factorBlock(m, n4, j, b);
    const rest = n4 - j - b;
    if (rest === 0) break;
    // L21 = A21 · L11⁻ᵀ, into t (rest × b), then over A21
    packB(mem, panelAt / 8, invertLower(m, n4, j, b), b, b, true, 1);
    const t0 = tAt / 8;
    mem.fill(0, t0, t0 + rest * b);
    const a21 = at + 8 * ((j + b) * n4 + j);
    pool.gemm({
      a: a21,
      lda: 8 * n4,
      bp: panelAt,
      c: tAt,
      ldc: 8 * b,
      rows: rest,
      panels: b / 4,
      k: b,
    });
    for (let i = 0; i < rest; i++) {
      m.set(mem.subarray(t0 + i * b, t0 + i * b + b), (j + b + i) * n4 + j);
    }
    // A22 −= L21 L21ᵀ, lower half
    packB(mem, panelAt / 8, m.subarray((j + b) * n4 + j), b, rest, true, -1, n4);
    pool.gemm({
      a: a21,
      lda: 8 * n4,
      bp: panelAt,
      c: at + 8 * ((j + b) * n4 + j + b),
      ldc: 8 * n4,
      rows: rest,
      panels: rest / 4,
      k: b,
      lower: true,
    });
  }
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) l.set(m.subarray(i * n4, i * n4 + i + 1), i * n);
  return l;
}
