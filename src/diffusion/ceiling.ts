/**
 * The highest K any Gaussian reverse kernel with diagonal covariance can reach
 * under a given forward schedule — the ceiling the trained model climbs toward.
 *
 * For each x^t the best such p(x^{t−1}|x^t) matches the mean and per-dimension
 * variance of the true reverse q(x^{t−1}|x^t) = ∫ q(x^{t−1}|x^t,x^0) q(x^0|x^t) dx^0
 * (among Gaussians, moment matching minimises E_{x^0|x^t} KL(q(·|x^t,x^0) ‖ p), the
 * KL terms of K). q(x^0|x^t) is taken over a sample of training points, weighted by
 * q(x^t|x^0): the posterior of the empirical data distribution. So the number says
 * what the schedule allows, independent of the network: a model below it lacks
 * capacity or training; a target above it needs another schedule. With few training
 * points against √β_1 the empirical posterior is lumpy and the estimate errs low
 * (tests/diffusion_test.ts: 0.05–0.09 bits on a Gaussian with 1,500 points).
 *
 * The same kernels run from noise (`sampleIdealReverse`) are the reverse process at its
 * best under the schedule: their marginals retrace the forward ones, entropy falling as
 * structure returns — the picture a trained network is measured against.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { edgeTerms, forwardSample } from "./bound.ts";
import { alphaBar, gaussianPosterior } from "./schedule.ts";
import { SWISS_ROLL } from "./data.ts";
import { curveLength } from "./limit.ts";
import { f64Pool } from "../compute/f64/mod.ts";

type Posterior = ReturnType<typeof gaussianPosterior>;

/**
 * Points for the ceiling. Its empirical posterior over training points is only as fine as
 * they are close, so they must lie closer along the roll than half the first step's blur
 * √β_1, or the ceiling errs low (by ≈ 1 bit at β_1 = 1e-5 with 2,000). At least 2,000
 * (≈ 0.006 apart on the unit-variance roll, far under √β_1 = 0.16 at the paper's schedule:
 * about 1.5 s at T = 40), at most the training set or 10,000 (cost ∝ points). 500 held-out
 * points give the ceiling to ≈ 0.05 bits.
 */
const CEILING_TRAIN = 2000;
const CEILING_TRAIN_MAX = 10_000;
export const CEILING_TEST = 500;
/** (the roll's length is taken per run, ≈ 1 ms, not when the pipeline registry loads) */
export const ceilingPoints = (beta1: number, trainSize: number): number => {
  const apart = Math.ceil((2 * curveLength(SWISS_ROLL)) / Math.sqrt(beta1));
  return Math.min(trainSize, Math.max(CEILING_TRAIN, Math.min(CEILING_TRAIN_MAX, apart)));
};
/** Both cost ∝ T (≈ 5 s in all at T = 40): past this T they are skipped (null, no `ideal` rows). */
export const CEILING_MAX_T = 200;

/**
 * Mean and per-dimension variance of the true reverse q(x^{t−1}|x^t) at one x^t (row
 * `off` of `xt`), from the empirical posterior over `train` (weights q(x^t|x^0_i)), given
 * step t's posterior coefficients and ᾱ_t. Writes into `mean` and `variance` (length d).
 */
function reverseMoments(
  post: Posterior,
  abT: number,
  train: Float64Array,
  xt: Float64Array,
  off: number,
  d: number,
  logw: Float64Array,
  mean: Float64Array,
  variance: Float64Array,
): void {
  const s = Math.sqrt(abT), v = 1 - abT;
  const n = train.length / d;
  let top = -Infinity;
  for (let i = 0; i < n; i++) {
    let r2 = 0;
    for (let k = 0; k < d; k++) {
      const z = xt[off + k] - s * train[i * d + k];
      r2 += z * z;
    }
    logw[i] = -r2 / (2 * v); // log q(x^t | x^0_i) up to a constant
    if (logw[i] > top) top = logw[i];
  }
  mean.fill(0);
  variance.fill(0); // E_w[x0²] until the end
  let total = 0;
  // Weights under e^{−36} ≈ 2e-16 of the largest change no sum by a float64 ulp, and near the
  // data (small 1 − ᾱ_t) that is almost every point: skipping their exp makes the ceiling and
  // the ideal chain several times faster at a small β_1, where they take thousands of points.
  const cut = top - 36;
  for (let i = 0; i < n; i++) {
    if (logw[i] < cut) continue;
    const w = Math.exp(logw[i] - top);
    total += w;
    for (let k = 0; k < d; k++) {
      const x = train[i * d + k];
      mean[k] += w * x;
      variance[k] += w * x * x;
    }
  }
  for (let k = 0; k < d; k++) {
    const m0 = mean[k] / total;
    const var0 = Math.max(0, variance[k] / total - m0 * m0);
    mean[k] = post.a * m0 + post.b * xt[off + k];
    variance[k] = post.variance + post.a * post.a * var0;
  }
}

/** Rows of x^t per task when the moments are spread over the kernel pool (≈ 1 ms each). */
const MOMENT_ROWS = 16;

/**
 * `reverseMoments` at every row e of `xt`, handed to `visit(e, mean, variance)` in row
 * order: the one loop every use of the ideal kernels runs. The rows are independent, so
 * with a kernel pool of several threads they are computed there first (`momentsTask`),
 * then visited here; each row's numbers are the same either way.
 */
function eachReverseMoments(
  post: Posterior,
  abT: number,
  train: Float64Array,
  xt: Float64Array,
  d: number,
  visit: (e: number, mean: Float64Array, variance: Float64Array) => void,
): void {
  const rows = xt.length / d;
  const pool = f64Pool();
  if (pool && pool.threads > 1 && rows > MOMENT_ROWS) {
    pool.reset();
    const at = (count: number) => pool.alloc(8 * count) / 8;
    const argsAt = at(MOMENT_ARGS), trainAt = at(train.length), xtAt = at(xt.length);
    const meanAt = at(xt.length), varAt = at(xt.length);
    const mem = pool.f64();
    mem.set(train, trainAt);
    mem.set(xt, xtAt);
    mem.set(
      [train.length / d, d, rows, trainAt, xtAt, meanAt, varAt, post.a, post.b, post.variance, abT],
      argsAt,
    );
    const tasks = Math.ceil(rows / MOMENT_ROWS);
    pool.moduleJob(
      import.meta.url,
      "momentsTask",
      8 * argsAt,
      tasks,
      (t) => momentsTask(pool.memory, 8 * argsAt, t),
    );
    const out = pool.f64();
    for (let e = 0; e < rows; e++) {
      visit(
        e,
        out.subarray(meanAt + e * d, meanAt + (e + 1) * d),
        out.subarray(varAt + e * d, varAt + (e + 1) * d),
      );
    }
    return;
  }
  const logw = new Float64Array(train.length / d);
  const mean = new Float64Array(d), variance = new Float64Array(d);
  for (let e = 0; e < rows; e++) {
    reverseMoments(post, abT, train, xt, e * d, d, logw, mean, variance);
    visit(e, mean, variance);
  }
}

/** `momentsTask`'s arguments, doubles at argsAt: n, d, rows, five element offsets, a, b, variance, ᾱ_t. */
const MOMENT_ARGS = 11;
/** this thread's copies: the points, the task's rows, its moments and the weights */
let local = {
  train: new Float64Array(0),
  xt: new Float64Array(0),
  mean: new Float64Array(0),
  variance: new Float64Array(0),
  logw: new Float64Array(0),
};

/**
 * Task t of `eachReverseMoments` on the kernel pool: the moments of rows
 * t·MOMENT_ROWS… of x^t, written to their own rows of the mean and variance arrays.
 * The inputs are copied out of the shared memory first: V8 reads a typed array over
 * WebAssembly's growable shared buffer ≈ 1.4× slower in this loop than a plain one.
 */
export function momentsTask(memory: WebAssembly.Memory, argsAt: number, t: number): void {
  const mem = new Float64Array(memory.buffer);
  const a = mem.slice(argsAt / 8, argsAt / 8 + MOMENT_ARGS);
  // as small integers: indices computed from doubles keep the loops in float arithmetic
  const [n, d, rows, trainAt, xtAt, meanAt, varAt] = Array.from(a.subarray(0, 7), (x) => x | 0);
  const post: Posterior = { a: a[7], b: a[8], variance: a[9] };
  const from = t * MOMENT_ROWS, to = Math.min(rows, (t + 1) * MOMENT_ROWS);
  if (local.train.length !== n * d) {
    local = {
      train: new Float64Array(n * d),
      xt: new Float64Array(MOMENT_ROWS * d),
      mean: new Float64Array(MOMENT_ROWS * d),
      variance: new Float64Array(MOMENT_ROWS * d),
      logw: new Float64Array(n),
    };
  }
  const { train, xt, mean, variance, logw } = local;
  train.set(mem.subarray(trainAt, trainAt + n * d));
  xt.set(mem.subarray(xtAt + from * d, xtAt + to * d));
  for (let e = 0; e < to - from; e++) {
    reverseMoments(
      post,
      a[10],
      train,
      xt,
      e * d,
      d,
      logw,
      mean.subarray(e * d, (e + 1) * d),
      variance.subarray(e * d, (e + 1) * d),
    );
  }
  mem.set(mean.subarray(0, (to - from) * d), meanAt + from * d);
  mem.set(variance.subarray(0, (to - from) * d), varAt + from * d);
}

/** The ceiling: K with the moment-matched kernels, and what each step's KL term costs. */
export interface Ceiling {
  /** K, bits per example */
  readonly bits: number;
  /** kl[t]: step t's mean KL(q(x^{t−1}|x^t,x^0) ‖ p), nats per example (t = 2…T; 0 below) */
  readonly kl: Float64Array;
}

/**
 * K on held-out `test` with moment-matched reverse kernels from `train`, and its KL terms
 * step by step. O(T · |train| · |test| · d): about 1.5 s for 40 steps, 2,000 × 500
 * points, so `tick` is awaited after each step to keep a server responsive.
 */
export async function gaussianCeiling(
  beta: Float64Array,
  train: Float64Array,
  test: Float64Array,
  d: number,
  rng: Rng,
  tick: () => Promise<void> = () => Promise.resolve(),
): Promise<Ceiling> {
  const ab = alphaBar(beta);
  const T = beta.length;
  const count = test.length / d;
  const kl = new Float64Array(T + 1);
  for (let t = 2; t <= T; t++) {
    let klSum = 0;
    const post = gaussianPosterior(beta, ab, t);
    const xt = forwardSample(test, t, ab, false, d, rng);
    eachReverseMoments(post, ab[t], train, xt, d, (e, mean, variance) => {
      for (let k = 0; k < d; k++) {
        const diff = post.a * test[e * d + k] + post.b * xt[e * d + k] - mean[k];
        klSum += 0.5 * Math.log(variance[k] / post.variance) +
          (post.variance + diff * diff) / (2 * variance[k]) - 0.5;
      }
    });
    kl[t] = klSum / count;
    await tick();
  }
  const klTotal = kl.reduce((a, b) => a + b, 0);
  return { bits: (-klTotal + edgeTerms(beta, ab, test, d, false)) / Math.LN2, kl };
}

/**
 * The mean entropy (nats) of the ideal kernel at step t (≥ 2) over the rows of `xt`,
 * Σ ½ log(2πe σ_k²): over forward samples x^t ~ q, a Gaussian's stand-in for the true
 * H_q(X^{t−1}|X^t) — never below it (a Gaussian has the most entropy for its variance),
 * so never below the schedule's lower bound either.
 */
export function idealStepEntropy(
  beta: Float64Array,
  train: Float64Array,
  xt: Float64Array,
  t: number,
  d: number,
): number {
  const ab = alphaBar(beta);
  let h = 0;
  eachReverseMoments(gaussianPosterior(beta, ab, t), ab[t], train, xt, d, (_, __, variance) => {
    for (let k = 0; k < d; k++) h += 0.5 * Math.log(2 * Math.PI * Math.E * variance[k]);
  });
  return h / (xt.length / d);
}

/**
 * Runs the reverse chain of those ideal kernels from x^T, calling `visit(t, x)` at
 * t = T…0: what any network of the paper's form would draw at best under this schedule.
 * The last step is the forward kernel, as for the model (model.ts `sample`).
 */
export async function sampleIdealReverse(
  beta: Float64Array,
  train: Float64Array,
  xT: Float64Array,
  d: number,
  rng: Rng,
  visit: (t: number, x: Float64Array) => void,
  tick: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const ab = alphaBar(beta);
  const T = beta.length;
  let x = xT.slice();
  visit(T, x);
  for (let t = T; t >= 1; t--) {
    const next = new Float64Array(x.length);
    if (t === 1) {
      for (let i = 0; i < x.length; i++) {
        next[i] = Math.sqrt(1 - beta[0]) * x[i] + Math.sqrt(beta[0]) * rng.normal();
      }
    } else {
      eachReverseMoments(
        gaussianPosterior(beta, ab, t),
        ab[t],
        train,
        x,
        d,
        (e, mean, variance) => {
          for (let k = 0; k < d; k++) {
            next[e * d + k] = mean[k] + Math.sqrt(variance[k]) * rng.normal();
          }
        },
      );
    }
    x = next;
    visit(t - 1, x);
    await tick();
  }
}
