/**
 * Gaussian-process regression with a network's kernel (Lee et al. 2018, §2.3): the
 * posterior mean K(x*, X)(K(X, X) + εI)⁻¹Y on centred one-hot targets (−0.1 / 0.9), by
 * Cholesky in float64, and the predictive variance K(x*, x*) − k*ᵀ(K + εI)⁻¹k*. The jitter ε
 * is relative to the kernel's diagonal. The same solve with Θ gives what an infinitely wide
 * net trained to convergence by gradient descent predicts (Lee et al. 2019).
 *
 * @module
 */
import { cholesky } from "../numerics/cholesky.ts";
import { f64Pool, solveLowerRows } from "../compute/f64/mod.ts";

/** From this many training inputs a started kernel pool solves for the predictive variance. */
const POOL_MIN_N = 128;

export const CLASSES = 10;

/** Centred one-hot targets: 0.9 for the class, −0.1 elsewhere (THEORY.md §6). */
export function targets(labels: readonly number[]): Float64Array {
  const y = new Float64Array(labels.length * CLASSES).fill(-0.1);
  labels.forEach((c, i) => (y[i * CLASSES + c] = 0.9));
  return y;
}

/** The kernel cannot be factorised at this jitter; `works` is the smallest power of ten that can. */
export class SingularKernelError extends Error {
  constructor(readonly jitter: number, readonly works: number | null) {
    super(
      `the kernel is numerically singular at jitter ${jitter}` +
        (works === null ? "" : `; jitter ${works} factorises it`),
    );
  }
}

function factor(k: Float64Array, n: number, diag: number, jitter: number): Float64Array | null {
  const a = k.slice();
  for (let i = 0; i < n; i++) a[i * n + i] += jitter * diag;
  try {
    return cholesky(a, n);
  } catch {
    return null;
  }
}

/** L with L Lᵀ = K + ε diag I, or a SingularKernelError naming a jitter that works. */
export function factorKernel(
  k: Float64Array,
  n: number,
  diag: number,
  jitter: number,
): Float64Array {
  const l = factor(k, n, diag, jitter);
  if (l) return l;
  for (let j = Math.max(jitter * 10, 1e-12); j <= 1; j *= 10) {
    const p = Math.pow(10, Math.round(Math.log10(j)));
    if (factor(k, n, diag, p)) throw new SingularKernelError(jitter, p);
  }
  throw new SingularKernelError(jitter, null);
}

/** In place: b (n × r) ← (L Lᵀ)⁻¹ b. */
export function choleskySolveMany(l: Float64Array, n: number, b: Float64Array, r: number): void {
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k];
      if (lik === 0) continue;
      for (let c = 0; c < r; c++) b[i * r + c] -= lik * b[k * r + c];
    }
    const d = l[i * n + i];
    for (let c = 0; c < r; c++) b[i * r + c] /= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i];
      if (lki === 0) continue;
      for (let c = 0; c < r; c++) b[i * r + c] -= lki * b[k * r + c];
    }
    const d = l[i * n + i];
    for (let c = 0; c < r; c++) b[i * r + c] /= d;
  }
}

/** The posterior mean at the test inputs (m × 10), from the factor L and targets Y (n × 10). */
export function posteriorMean(
  l: Float64Array,
  cross: Float64Array,
  y: Float64Array,
  n: number,
  m: number,
): Float64Array {
  const alpha = y.slice();
  choleskySolveMany(l, n, alpha, CLASSES);
  const out = new Float64Array(m * CLASSES);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const kij = cross[i * n + j];
      for (let c = 0; c < CLASSES; c++) out[i * CLASSES + c] += kij * alpha[j * CLASSES + c];
    }
  }
  return out;
}

/** Held-out accuracy (argmax against the label) and mean squared error over all outputs. */
export function score(
  mean: Float64Array,
  labels: readonly number[],
): { accuracy: number; mse: number } {
  const y = targets(labels);
  let right = 0, se = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) {
      if (mean[i * CLASSES + c] > mean[i * CLASSES + best]) best = c;
    }
    if (best === label) right++;
    for (let c = 0; c < CLASSES; c++) se += (mean[i * CLASSES + c] - y[i * CLASSES + c]) ** 2;
  });
  return { accuracy: right / labels.length, mse: se / (labels.length * CLASSES) };
}

/**
 * The predictive variance K(x*, x*) − |L⁻¹k*|² of the first `count` test inputs (one
 * forward substitution each: n²/2 flops; all at once, blocked, on the kernel pool when one is
 * started and the work is large).
 */
export function predictiveVariance(
  l: Float64Array,
  cross: Float64Array,
  diag: number,
  n: number,
  count: number,
): Float64Array {
  const out = new Float64Array(count);
  const pool = f64Pool();
  if (pool && n >= POOL_MIN_N) {
    const x = solveLowerRows(pool, l, n, cross.subarray(0, count * n), count);
    for (let t = 0; t < count; t++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[t * n + i] ** 2;
      out[t] = diag - s;
    }
    return out;
  }
  const v = new Float64Array(n);
  for (let t = 0; t < count; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let x = cross[t * n + i];
      const row = i * n;
      for (let k = 0; k < i; k++) x -= l[row + k] * v[k];
      v[i] = x / l[row + i];
      s += v[i] * v[i];
    }
    out[t] = diag - s;
  }
  return out;
}
