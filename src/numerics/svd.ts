/**
 * Thin singular value decomposition in float64 by one-sided Jacobi rotations
 * (Hestenes 1958; Demmel & Veselić 1992): rotate pairs of columns of A until
 * all are orthogonal; then A V = U Σ. Accurate to rounding, simple, and fast
 * enough for the input–output correlations here (≤ a few thousand × a few hundred).
 *
 * @module
 */

/** A dense row-major matrix. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  const d = new Float64Array(rows * cols);
  if (data) d.set(data);
  return { rows, cols, data: d };
}

export interface Svd {
  /** rows × k, orthonormal columns */
  readonly u: Matrix;
  /** k singular values, descending */
  readonly s: Float64Array;
  /** cols × k, orthonormal columns */
  readonly v: Matrix;
}

/** A = U diag(s) Vᵀ with k = min(rows, cols). */
export function svd(a: Matrix, maxSweeps = 60): Svd {
  const transpose = a.rows < a.cols;
  // Work on the tall orientation: columns ≤ rows.
  const m = transpose ? a.cols : a.rows;
  const n = transpose ? a.rows : a.cols;
  const w = new Float64Array(m * n); // column-major copy: column j at w[j*m …]
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const x = a.data[i * a.cols + j];
      if (transpose) w[i * m + j] = x;
      else w[j * m + i] = x;
    }
  }
  const v = new Float64Array(n * n); // column-major too
  for (let j = 0; j < n; j++) v[j * n + j] = 1;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[p * m + i], y = w[q * m + i];
          alpha += x * x;
          beta += y * y;
          gamma += x * y;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < m; i++) {
          const x = w[p * m + i], y = w[q * m + i];
          w[p * m + i] = c * x - s * y;
          w[q * m + i] = s * x + c * y;
        }
        for (let i = 0; i < n; i++) {
          const x = v[p * n + i], y = v[q * n + i];
          v[p * n + i] = c * x - s * y;
          v[q * n + i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: n }, (_, j) => {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i] ** 2;
    return Math.sqrt(s);
  });
  const order = norms.map((_, j) => j).sort((x, y) => norms[y] - norms[x]);
  const left = matrix(m, n);
  const right = matrix(n, n);
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    s[k] = norms[j];
    for (let i = 0; i < m; i++) left.data[i * n + k] = norms[j] > 0 ? w[j * m + i] / norms[j] : 0;
    for (let i = 0; i < n; i++) right.data[i * n + k] = v[j * n + i];
  });
  // Zero singular values leave zero columns in U; that is fine for a thin SVD of rank < k.
  return transpose ? { u: right, s, v: left } : { u: left, s, v: right };
}
