/**
 * Eigenvalues (and optionally eigenvectors) of a real symmetric matrix in
 * float64: Householder reduction to tridiagonal form, then the implicit QL
 * algorithm with Wilkinson-style shifts (Golub & Van Loan §8.3; EISPACK tql2).
 * The Hessians of issue #4 are indefinite and up to a few thousand wide, so
 * Jacobi (our SVD's method) would be too slow; this is the O(n³) standard.
 *
 * Row-major throughout; eigenvectors come back as ROWS (row i ↔ values[i]),
 * so the rotations of the QL sweep touch two contiguous rows, not two strided
 * columns.
 *
 * With the float64 kernel pool started (src/compute/f64) and n ≥ POOL_MIN_N, the
 * reduction's trailing pass — all of its O(n³) — runs as f64x2 SIMD on every thread
 * (tridiagonal_wat.ts), the matrix kept in the pool's memory; the rest of each step is O(n)
 * and stays here. Its sums pair entries differently, so its eigenvalues differ from the plain
 * loop's by rounding (≈ 1e-15 relative), and they are the same bits on any thread count.
 *
 * @module
 */
import { type F64Pool, f64Pool } from "../compute/f64/mod.ts";

export interface SymmetricEigen {
  /** ascending */
  readonly values: Float64Array;
  /** n × n, row i the unit eigenvector of values[i]; null when not asked for */
  readonly vectors: Float64Array | null;
}

/** Eigen-decomposition of the symmetric n × n matrix `a` (read only; the lower triangle is not trusted to match the upper: a is symmetrised). */
export function symmetricEigen(
  a: ArrayLike<number>,
  n: number,
  wantVectors = false,
): SymmetricEigen {
  if (a.length !== n * n) throw new RangeError(`symmetricEigen: ${a.length} entries for n = ${n}`);
  const pool = f64Pool();
  const ws = pool && n >= POOL_MIN_N ? new PoolWorkspace(pool, n) : null;
  const s = ws ? ws.s : new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = (a[i * n + j] + a[j * n + i]) / 2;
      s[i * n + j] = v;
      s[j * n + i] = v;
    }
  }
  const { d, e, z } = tridiagonalize(s, n, wantVectors, ws);
  ql(d, e, z, n);
  // sort ascending, carrying the vector rows along
  const order = Array.from(d.keys()).sort((x, y) => d[x] - d[y]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!z) return { values, vectors: null };
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => vectors.set(z.subarray(src * n, src * n + n), dst * n));
  return { values, vectors };
}

/**
 * A = Q T Qᵀ with T tridiagonal (diagonal d, off-diagonal e[i] = T[i][i+1],
 * e[n−1] = 0). Only the upper triangle of `s` is used, and it is overwritten.
 * With vectors, z = Qᵀ (row i = column i of Q).
 *
 * Step k reflects row k's tail onto e1 with H_k = I − β v vᵀ and updates the
 * trailing block S ← S − v wᵀ − w vᵀ (w = p − (β pᵀv/2) v, p = β S v). Row k+1
 * is updated first so that step k+1's reflector is known, and every other row's
 * update is fused with step k+1's product S v′ while the row is in cache: one
 * pass over the matrix per step instead of two (2× faster at n = 1000).
 */
function tridiagonalize(
  s: Float64Array,
  n: number,
  wantVectors: boolean,
  ws: PoolWorkspace | null,
): { d: Float64Array; e: Float64Array; z: Float64Array | null } {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const kept: { v: Float64Array; beta: number }[] = []; // reflectors, for Q
  const vector = (i: number) => ws ? ws.vectors[i] : new Float64Array(n);
  let v = vector(0);
  let vNext = vector(1);
  let acc = vector(2); // S v for the current step
  let accNext = vector(3);
  const w = vector(4);

  /** Reflector for row k's tail (entries k+1…): fills out, returns β (0 if the tail is zero). */
  const reflector = (k: number, out: Float64Array): number => {
    const row = k * n;
    let norm2 = 0;
    for (let j = k + 1; j < n; j++) norm2 += s[row + j] * s[row + j];
    d[k] = s[row + k];
    out.fill(0);
    if (norm2 === 0) {
      e[k] = 0;
      return 0;
    }
    const x0 = s[row + k + 1];
    const alpha = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    for (let j = k + 1; j < n; j++) out[j] = s[row + j];
    out[k + 1] = x0 - alpha;
    e[k] = alpha;
    return 2 / (norm2 - x0 * x0 + out[k + 1] * out[k + 1]);
  };

  if (n > 2) {
    let beta = reflector(0, v);
    // S v on the trailing block (rows 1…n−1), from the upper triangle
    for (let i = 1; i < n; i++) {
      const ri = i * n;
      let a = s[ri + i] * v[i];
      for (let j = i + 1; j < n; j++) {
        a += s[ri + j] * v[j];
        acc[j] += s[ri + j] * v[i];
      }
      acc[i] += a;
    }
    for (let k = 0; k <= n - 3; k++) {
      if (wantVectors) kept.push({ v: v.slice(), beta });
      let pv = 0;
      for (let i = k + 1; i < n; i++) pv += beta * acc[i] * v[i];
      const half = (beta * pv) / 2;
      for (let i = k + 1; i < n; i++) w[i] = beta * acc[i] - half * v[i];
      // row k+1 first: step k+1's reflector is built from it
      const r1 = (k + 1) * n;
      for (let j = k + 1; j < n; j++) s[r1 + j] -= v[k + 1] * w[j] + w[k + 1] * v[j];
      const next = k + 1 <= n - 3;
      const betaNext = next ? reflector(k + 1, vNext) : 0;
      if (ws) ws.trailingPass(k + 2, v, w, vNext, accNext);
      else {
        accNext.fill(0);
        for (let i = k + 2; i < n; i++) {
          const ri = i * n;
          const vi = v[i];
          const wi = w[i];
          const ui = vNext[i];
          let a = 0;
          for (let j = i; j < n; j++) {
            const x = s[ri + j] - (vi * w[j] + wi * v[j]);
            s[ri + j] = x;
            a += x * vNext[j];
            accNext[j] += x * ui;
          }
          accNext[i] += a - s[ri + i] * ui; // the diagonal was counted twice
        }
      }
      [v, vNext] = [vNext, v];
      [acc, accNext] = [accNext, acc];
      beta = betaNext;
    }
  }
  if (n >= 2) {
    d[n - 2] = s[(n - 2) * n + n - 2];
    e[n - 2] = s[(n - 2) * n + n - 1];
  }
  if (n >= 1) d[n - 1] = s[n * n - 1];
  e[n - 1] = 0;
  if (!wantVectors) return { d, e, z: null };
  // Q = H_0 (H_1 (⋯ (H_{n−3} I))): H_k then meets a matrix that is the
  // identity outside rows and columns k+1…, so each costs (n−k)², not n(n−k).
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const t = new Float64Array(n);
  for (let k = kept.length - 1; k >= 0; k--) {
    const { v: vk, beta } = kept[k];
    if (beta === 0) continue;
    t.fill(0);
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = vk[i];
      for (let j = k + 1; j < n; j++) t[j] += vi * q[ri + j];
    }
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const f = beta * vk[i];
      for (let j = k + 1; j < n; j++) q[ri + j] -= f * t[j];
    }
  }
  const z = new Float64Array(n * n); // Qᵀ
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) z[j * n + i] = q[i * n + j];
  return { d, e, z };
}

/** Below this order the pool's dispatch, once a step, costs more than the pass it splits. */
const POOL_MIN_N = 160;
/**
 * Rows per task of the trailing pass, at least, and the most tasks: a function of the rows
 * alone (not of the threads), so the bits are too. Eight keep the tasks' column sums, added
 * here after each step, cheap (sixteen cost 10 ms more at n = 1000), and the pass is bound by
 * memory before eight threads.
 */
const ROWS_PER_TASK = 64;
const MAX_TASKS = 8;

/** The reduction's matrix and vectors in the pool's memory, and its trailing pass there. */
class PoolWorkspace {
  /** n × n, row-major */
  readonly s: Float64Array;
  /** five vectors of n: the reflectors v, v′, S v, S′ v′ and w */
  readonly vectors: Float64Array[];
  readonly #z: Float64Array;
  readonly #zAt: number;

  constructor(readonly pool: F64Pool, readonly n: number) {
    pool.reset();
    const sAt = pool.alloc(8 * n * n);
    const at = Array.from({ length: 5 }, () => pool.alloc(8 * n));
    this.#zAt = pool.alloc(8 * n * MAX_TASKS);
    const buffer = pool.f64().buffer; // after the last alloc: growing replaces the buffer
    this.s = new Float64Array(buffer, sAt, n * n);
    this.vectors = at.map((o) => new Float64Array(buffer, o, n).fill(0));
    this.#z = new Float64Array(buffer, this.#zAt, n * MAX_TASKS);
  }

  /**
   * Rows from…n−1 of S ← S − v wᵀ − w vᵀ (upper triangle) and out = S′u on them, as the
   * plain loop in tridiagonalize computes: each task's rows' sums y, then its column sums z
   * added, task by task in order.
   */
  trailingPass(from: number, v: Float64Array, w: Float64Array, u: Float64Array, out: Float64Array) {
    const n = this.n;
    out.fill(0);
    if (from >= n) return;
    const tasks = Math.min(MAX_TASKS, Math.max(1, Math.floor((n - from) / ROWS_PER_TASK)));
    this.pool.tridiagonalStep({
      s: this.s.byteOffset,
      ld: 8 * n,
      n,
      from,
      v: v.byteOffset,
      w: w.byteOffset,
      u: u.byteOffset,
      z: this.#zAt,
      y: out.byteOffset,
      tasks,
    });
    const z = this.#z;
    for (let t = 0; t < tasks; t++) {
      const zt = t * n;
      for (let j = from; j < n; j++) out[j] += z[zt + j];
    }
  }
}

/**
 * √(a² + b²): the plain formula where it cannot overflow or underflow, Math.hypot (which
 * scales, and costs 5× more in V8: a fifth of the eigenvalues' time at n = 1000) where it could.
 */
function hypot(a: number, b: number): number {
  const sq = a * a + b * b;
  return sq < 1e300 && sq > 1e-300 ? Math.sqrt(sq) : Math.hypot(a, b);
}

/** Implicit QL on (d, e) in place; rotations applied to the rows of z when given. */
function ql(d: Float64Array, e: Float64Array, z: Float64Array | null, n: number): void {
  const eps = 2 ** -52;
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error(`symmetricEigen: QL did not converge at ${l}`);
        // Wilkinson-like shift from the leading 2 × 2 block
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1, c2 = 1, c3 = 1, s = 0, s2 = 0;
        const el1 = e[l + 1];
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          if (z) {
            const ri = i * n;
            const rj = (i + 1) * n;
            for (let k = 0; k < n; k++) {
              const zk = z[rj + k];
              z[rj + k] = s * z[ri + k] + c * zk;
              z[ri + k] = c * z[ri + k] - s * zk;
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
}
