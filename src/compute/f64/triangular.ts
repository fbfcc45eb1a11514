/**
 * Forward substitution for many right-hand sides on the float64 kernel pool: X with X Lᵀ = C
 * (L lower triangular n × n, C count × n; each row x of X solves L x = c), as the GP's
 * predictive variance needs for a thousand test inputs at once (|L⁻¹k*|² each). Blocked by
 * columns like the Cholesky it follows (cholesky.ts): X_J = (C_J − X_<J L_J,<Jᵀ) L_JJ⁻ᵀ, both
 * terms products on every thread, instead of count separate substitutions of n²/2 each on one
 * (19 s at n = 5,000, count = 1,000).
 *
 * @module
 */
import type { F64Pool } from "./pool.ts";
import { packB } from "./gemm.ts";
import { invertLower, NB } from "./cholesky.ts";

const up4 = (n: number) => Math.ceil(n / 4) * 4;

/** X (count × n, row-major) with X Lᵀ = C. */
export function solveLowerRows(
  pool: F64Pool,
  l: Float64Array,
  n: number,
  c: Float64Array,
  count: number,
): Float64Array {
  const n4 = up4(n), c4 = up4(count);
  pool.reset();
  const lAt = pool.alloc(8 * n4 * n4);
  const xAt = pool.alloc(8 * c4 * n4);
  const panelAt = pool.alloc(8 * n4 * NB);
  const tAt = pool.alloc(8 * c4 * NB);
  const mem = pool.f64();
  const l0 = lAt / 8, x0 = xAt / 8, t0 = tAt / 8;
  // L padded with an identity block, C with zero rows and columns: the pads solve to 0
  mem.fill(0, l0, l0 + n4 * n4);
  for (let i = 0; i < n4; i++) {
    if (i < n) mem.set(l.subarray(i * n, i * n + i + 1), l0 + i * n4);
    else mem[l0 + i * n4 + i] = 1;
  }
  mem.fill(0, x0, x0 + c4 * n4);
  for (let r = 0; r < count; r++) mem.set(c.subarray(r * n, r * n + n), x0 + r * n4);
  const lm = mem.subarray(l0, l0 + n4 * n4);
  for (let j = 0; j < n4; j += NB) {
    const b = Math.min(NB, n4 - j);
    if (j > 0) {
      // X_J −= X_<J · L_J,<Jᵀ
      packB(mem, panelAt / 8, lm.subarray(j * n4), j, b, true, -1, n4);
      pool.gemm({
        a: xAt,
        lda: 8 * n4,
        bp: panelAt,
        c: xAt + 8 * j,
        ldc: 8 * n4,
        rows: c4,
        panels: b / 4,
        k: j,
      });
    }
    // X_J ← X_J · L_JJ⁻ᵀ, through t
    packB(mem, panelAt / 8, invertLower(lm, n4, j, b), b, b, true, 1);
    mem.fill(0, t0, t0 + c4 * b);
    pool.gemm({
      a: xAt + 8 * j,
      lda: 8 * n4,
      bp: panelAt,
      c: tAt,
      ldc: 8 * b,
      rows: c4,
      panels: b / 4,
      k: b,
    });
    for (let r = 0; r < c4; r++) {
      mem.copyWithin(x0 + r * n4 + j, t0 + r * b, t0 + r * b + b);
    }
  }
  const out = new Float64Array(count * n);
  for (let r = 0; r < count; r++) out.set(mem.subarray(x0 + r * n4, x0 + r * n4 + n), r * n);
  return out;
}
