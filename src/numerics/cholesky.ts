/**
 * Cholesky factorisation and solves for symmetric positive-definite matrices
 * (float64, row-major), and the largest eigenvalue by power iteration.
 *
 * @module
 */

import { choleskyPool, f64Pool } from "../compute/f64/mod.ts";

/** From this order on, a started kernel pool factorises (below it, the copies cost more). */
const POOL_MIN_N = 128;

/**
 * Lower-triangular L with A = L Lᵀ; throws a RangeError if A is not positive definite. On
 * this thread's kernel pool when one is started (blocked, every core: src/compute/f64),
 * else `choleskyPlain`.
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const pool = f64Pool();
  return pool && n >= POOL_MIN_N ? choleskyPool(pool, a, n) : choleskyPlain(a, n);
}

/**
 * Lower-triangular L with A = L Lᵀ; throws if A is not positive definite. Column by column
 * (left-looking), each entry a dot product of two rows of L; four rows at a time share one
 * pass over row j, with four independent sums, which keeps the loads and the adds in flight
 * (2.6× the one-row loop: 5,000 × 5,000 in ≈ 15 s against 39 s, docs/benchmarks.md).
 */
export function choleskyPlain(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j];
    for (let k = 0; k < j; k++) d -= l[rj + k] * l[rj + k];
    if (!(d > 0)) throw new RangeError(`cholesky: not positive definite (pivot ${j} is ${d})`);
    const ljj = Math.sqrt(d);
    l[rj + j] = ljj;
    let i = j + 1;
    for (; i + 3 < n; i += 4) {
      const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = a[r0 + j], s1 = a[r1 + j], s2 = a[r2 + j], s3 = a[r3 + j];
      for (let k = 0; k < j; k++) {
        const x = l[rj + k];
        s0 -= l[r0 + k] * x;
        s1 -= l[r1 + k] * x;
        s2 -= l[r2 + k] * x;
        s3 -= l[r3 + k] * x;
      }
      l[r0 + j] = s0 / ljj;
      l[r1 + j] = s1 / ljj;
      l[r2 + j] = s2 / ljj;
      l[r3 + j] = s3 / ljj;
    }
    for (; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= l[ri + k] * l[rj + k];
      l[ri + j] = s / ljj;
    }
  }
  return l;
}

/** x with L Lᵀ x = b. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** The largest eigenvalue of a symmetric positive semi-definite matrix, by power iteration. */
export function largestEigenvalue(a: Float64Array, n: number, iterations = 500): number {
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      w[i] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) return 0;
    v = w.map((x) => x / norm);
    if (Math.abs(norm - lambda) <= 1e-12 * norm) return norm;
    lambda = norm;
  }
  return lambda;
}
