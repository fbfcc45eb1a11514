/**
 * A head start for the image reverse model: the exact reverse process of the Gaussian fitted to
 * the training images, which the network then perturbs (`--base gaussian`, issue #32).
 *
 * The paper's reverse kernel perturbs the forward kernel: mean = x^t √(1−β_t) + m √β_t, variance
 * = σ(c/√T + logit β_t) (model.ts). At m = c = 0 that is a poor reverse step for images: K starts
 * at the factorial line and an MLP over 196 pixels needs more than a minute of training here to
 * pass even the Gaussian (docs/pipelines/image-diffusion.md). But the reverse process of a
 * Gaussian is solvable in closed form. Rotate the pixels onto the principal axes of the training
 * covariance Σ = Σ_k λ_k a_k a_kᵀ (an orthogonal change of coordinates: the forward noise is
 * isotropic, so the diffusion is the same process there and K is unchanged, its Jacobian being 1).
 * On the axes the fitted Gaussian's coordinates are independent, N(μ_k, λ_k), and under the
 * forward process coordinate k at step t has mean m_t = √ᾱ_t μ_k and variance
 * s_t = ᾱ_t λ_k + 1 − ᾱ_t. Since x^t = √(1−β_t) x^{t−1} + √β_t ε, (x^{t−1}, x^t) is jointly
 * Gaussian with Cov = √(1−β_t) s_{t−1}, so
 *
 *   x^{t−1} | x^t  ~  N(m_{t−1} + g_t (x^t − m_t),  β_t s_{t−1} / s_t),   g_t = √(1−β_t) s_{t−1} / s_t,
 *
 * exact and diagonal on the axes. The network's readouts then perturb that kernel instead:
 * mean = g_t x^t + (m_{t−1} − g_t m_t) + m √β_t, variance = σ(c/√T + logit v_t): at m = c = 0 the
 * model is the Gaussian's reverse process (K near the Gaussian baseline from the first step),
 * and training learns what second-order statistics miss.
 *
 * @module
 */
import { moments } from "./baselines.ts";
import { alphaBar } from "./schedule.ts";
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { matmul } from "../numerics/matmul.ts";

/** p(x^T), where the reverse chain starts: N(mean_k, variance_k) per coordinate. */
export interface Prior {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

/**
 * The reverse kernel p(x^{t−1} | x^t) the readouts perturb, per step and coordinate, rows
 * t = 0…T of d entries (rows 0 and 1 unused: step 1 is the forward kernel reversed):
 * mean = a x^t + b + m √β_t, variance = σ(c/√T + logitVariance); and the chain's start p(x^T)
 * (absent: N(0, I), the paper's).
 */
export interface KernelBase {
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly logitVariance: Float64Array;
  readonly prior?: Prior;
}

/**
 * The exact reverse process of independent Gaussian coordinates N(mean_k, variance_k) under the
 * schedule β (see the module comment), starting where the forward process leaves them:
 * p(x^T) = N(√ᾱ_T mean_k, ᾱ_T variance_k + 1 − ᾱ_T). (After T = 40 steps to β = 0.3, ᾱ_T ≈ 0.24:
 * the widest axes of MNIST, variance ≈ 15, are still far from N(0, 1) there.)
 */
export function gaussianBase(
  beta: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
): KernelBase {
  const T = beta.length, d = mean.length;
  if (variance.length !== d) throw new RangeError(`${variance.length} variances for ${d} means`);
  const ab = alphaBar(beta);
  const a = new Float64Array((T + 1) * d);
  const b = new Float64Array((T + 1) * d);
  const logitVariance = new Float64Array((T + 1) * d);
  for (let t = 2; t <= T; t++) {
    const bt = beta[t - 1];
    for (let k = 0; k < d; k++) {
      const sPrev = ab[t - 1] * variance[k] + 1 - ab[t - 1];
      const s = ab[t] * variance[k] + 1 - ab[t];
      const g = (Math.sqrt(1 - bt) * sPrev) / s;
      const v = (bt * sPrev) / s;
      // the model's variance is σ(·) < 1; v < 1 whenever β_t ≤ ½ (v → β/(1−β) as s grows)
      if (!(v < 1)) {
        throw new RangeError(`the reverse variance at t = ${t} is ${v}: β above ½ on a wide axis`);
      }
      a[t * d + k] = g;
      b[t * d + k] = (Math.sqrt(ab[t - 1]) - g * Math.sqrt(ab[t])) * mean[k];
      logitVariance[t * d + k] = Math.log(v / (1 - v));
    }
  }
  const prior = {
    mean: mean.map((m) => Math.sqrt(ab[T]) * m),
    variance: variance.map((l) => ab[T] * l + 1 - ab[T]),
  };
  return { a, b, logitVariance, prior };
}

/**
 * The principal axes of n × d training rows: `axes` row k is the unit eigenvector of the
 * covariance (1/n) with the k-th largest eigenvalue `variance[k]`; `mean` is the training mean
 * on the axes. Coordinates y = axes · x; pixels x = axesᵀ · y.
 */
export interface PrincipalAxes {
  readonly d: number;
  readonly axes: Float64Array;
  readonly mean: Float64Array;
  readonly variance: Float64Array;
}

export function principalAxes(train: Float64Array, d: number): PrincipalAxes {
  const { mean, cov } = moments(train, d);
  const { values, vectors } = symmetricEigen(cov, d, true);
  // descending: the first coordinate the direction of most variance
  const axes = new Float64Array(d * d), variance = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const src = d - 1 - k;
    axes.set(vectors!.subarray(src * d, src * d + d), k * d);
    // a rank-deficient covariance (pixels constant in training) can round just below 0
    variance[k] = Math.max(values[src], 0);
  }
  return { d, axes, mean: toAxes({ d, axes }, mean), variance };
}

/**
 * Rows of x (pixels) on the axes: y = x · axesᵀ (matmul: on the float64 kernel pool when it runs
 * and the product is big enough — the inpainting chain converts 200 images at every step).
 */
export function toAxes(p: Pick<PrincipalAxes, "d" | "axes">, x: Float64Array): Float64Array {
  return matmul(x, p.axes, x.length / p.d, p.d, p.d, { transB: true });
}

/** Rows of y (coordinates on the axes) back to pixels: x = y · axes. */
export function fromAxes(p: Pick<PrincipalAxes, "d" | "axes">, y: Float64Array): Float64Array {
  return matmul(y, p.axes, y.length / p.d, p.d, p.d);
}
