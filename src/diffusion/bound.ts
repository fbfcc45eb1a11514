/**
 * Sampling the forward process in closed form, and the log-likelihood bound K
 * (Sohl-Dickstein et al. 2015, Eq. 14; THEORY.md §5) on held-out data:
 *
 *   K = −Σ_{t=2}^T E KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t))
 *       + H_q(X^T|X^0) − H_q(X^1|X^0) − H_p(X^T)
 *
 * per example, reported in bits beside the null model's log-likelihood (a unit
 * Gaussian; independent Bernoulli bits at the training set's rates).
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import type { Batch, ReverseKernel } from "./model.ts";
import type { Prior } from "./gaussian_base.ts";
import { bernoulliEntropy, gaussianEntropy } from "./schedule.ts";

/**
 * What the bound needs of a reverse process: its schedule and each example's KL term, now
 * (the float64 model, the wasm kernels) or once a GPU has read it back (gpu_model.ts).
 */
export type KlSource = Pick<ReverseKernel, "spec" | "beta" | "ab" | "prior"> & {
  kl(batch: Batch): Float64Array | Promise<Float64Array>;
};

/** x^t ~ q(x^t | x^0) for every row of x0 (t ≥ 0), in closed form. */
export function forwardSample(
  x0: Float64Array,
  t: number | Int32Array,
  ab: Float64Array,
  binomial: boolean,
  d: number,
  rng: Rng,
): Float64Array {
  const out = new Float64Array(x0.length);
  for (let e = 0; e < x0.length / d; e++) {
    const a = ab[typeof t === "number" ? t : t[e]];
    for (let i = e * d; i < (e + 1) * d; i++) {
      out[i] = binomial
        ? Number(rng.uniform() < x0[i] * a + (1 - a) / 2)
        : Math.sqrt(a) * x0[i] + Math.sqrt(1 - a) * rng.normal();
    }
  }
  return out;
}

export interface Bound {
  /** K per example, bits */
  readonly kBits: number;
  /** the null model's mean log-likelihood of the same examples, bits */
  readonly nullBits: number;
}

/**
 * The heartbeat's null model: independent bits at the training set's rates (kept inside
 * [1e-3, 1 − 1e-3] so a bit never seen set does not make held-out data impossible).
 */
export function nullRates(train: Float64Array, d: number): Float64Array {
  const rates = new Float64Array(d);
  const count = train.length / d;
  for (let i = 0; i < train.length; i++) rates[i % d] += train[i] / count;
  return rates.map((r) => Math.min(1 - 1e-3, Math.max(1e-3, r)));
}

/** Mean log-likelihood (nats) of each row under the null model. */
export function nullLogLikelihood(
  x: Float64Array,
  d: number,
  binomial: boolean,
  rates?: Float64Array,
): number {
  const count = x.length / d;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (binomial) {
      const p = rates![i % d];
      s += Math.log(x[i] === 1 ? p : 1 - p);
    } else s += -0.5 * x[i] * x[i] - 0.5 * Math.log(2 * Math.PI);
  }
  return s / count;
}

/**
 * K's terms outside the KL sum, mean per example (nats):
 * H_q(X^T|X^0) − H_q(X^1|X^0) − H_p(X^T), with H_p(X^T) the cross-entropy of the
 * prior π on q(x^T|x^0), exact per example: π = N(0, I), or a kernel base's N(m_k, s_k) per
 * coordinate.
 */
export function edgeTerms(
  beta: Float64Array,
  ab: Float64Array,
  x0: Float64Array,
  d: number,
  binomial: boolean,
  prior: Prior | null = null,
): number {
  const T = beta.length;
  if (binomial) {
    // π = Bernoulli(½) per bit: H_p(X^T) = d log 2 whatever x^T is
    return d * bernoulliEntropy((1 - ab[T]) / 2) - d * bernoulliEntropy(beta[0] / 2) -
      d * Math.log(2);
  }
  const count = x0.length / d;
  let crossPrior: number;
  if (prior) {
    // −E log N(x^T; m, s) per coordinate, E (x^T_k − m_k)² = (√ᾱ_T x^0_k − m_k)² + 1 − ᾱ_T
    crossPrior = 0;
    for (let k = 0; k < d; k++) {
      let sq = 0;
      for (let e = 0; e < count; e++) sq += (Math.sqrt(ab[T]) * x0[e * d + k] - prior.mean[k]) ** 2;
      const s = prior.variance[k];
      crossPrior += 0.5 * Math.log(2 * Math.PI * s) + (sq / count + 1 - ab[T]) / (2 * s);
    }
  } else {
    let sq = 0;
    for (const v of x0) sq += v * v;
    // −E log N(x^T; 0, I) with E‖x^T‖² = ᾱ_T ‖x^0‖² + d (1 − ᾱ_T)
    crossPrior = 0.5 * d * Math.log(2 * Math.PI) + 0.5 * (ab[T] * sq / count + d * (1 - ab[T]));
  }
  return gaussianEntropy(d, 1 - ab[T]) - gaussianEntropy(d, beta[0]) - crossPrior;
}

/**
 * Each step's KL term on x^0, every t = 2…T once per example (x^t drawn from q(x^t|x^0)):
 * kl[t] in nats per example (0 for t < 2). Where the reverse process falls short, step by step.
 */
export async function klPerStep(
  model: KlSource,
  x0: Float64Array,
  rng: Rng,
): Promise<Float64Array> {
  const { d } = model.spec;
  const binomial = model.spec.kind === "binomial";
  const T = model.beta.length;
  const count = x0.length / d;
  const kl = new Float64Array(T + 1);
  for (let t = 2; t <= T; t++) {
    const ts = new Int32Array(count).fill(t);
    const batch: Batch = { x0, xt: forwardSample(x0, t, model.ab, binomial, d, rng), t: ts };
    for (const k of await model.kl(batch)) kl[t] += k / count;
  }
  return kl;
}

/**
 * K on held-out x^0: every t = 2…T once per example (x^t drawn from q(x^t|x^0)),
 * so the only noise is that draw; past `maxSteps` steps, that many random t. H_p(X^T) is the cross-entropy of the prior
 * π on q(x^T|x^0), exact per example.
 */
export async function bound(
  model: KlSource,
  x0: Float64Array,
  rng: Rng,
  rates?: Float64Array,
  maxSteps = 64,
): Promise<Bound> {
  const { d } = model.spec;
  const binomial = model.spec.kind === "binomial";
  const T = model.beta.length;
  const ab = model.ab;
  const count = x0.length / d;
  let klSum = 0;
  if (T - 1 <= maxSteps) {
    klSum = count * (await klPerStep(model, x0, rng)).reduce((a, b) => a + b, 0);
  } else {
    // long chains (the heartbeat's T = 2000): (T − 1) × KL at a uniform t, `maxSteps`
    // draws per example — unbiased for the sum over t, with sampling noise
    for (let r = 0; r < maxSteps; r++) {
      const ts = new Int32Array(count).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
      const batch: Batch = { x0, xt: forwardSample(x0, ts, ab, binomial, d, rng), t: ts };
      for (const k of await model.kl(batch)) klSum += (k * (T - 1)) / maxSteps;
    }
  }
  const edge = edgeTerms(model.beta, ab, x0, d, binomial, model.prior);
  const kNats = -klSum / count + edge;
  return {
    kBits: kNats / Math.LN2,
    nullBits: nullLogLikelihood(x0, d, binomial, rates) / Math.LN2,
  };
}
