/**
 * Forward diffusion schedules and the closed forms that follow from them
 * (Sohl-Dickstein et al. 2015, §2.1 and Appendix A; THEORY.md §5).
 *
 * Gaussian: q(x^t | x^{t−1}) = N(√(1−β_t) x^{t−1}, β_t I), so with
 * ᾱ_t = Π_{s≤t} (1−β_s), q(x^t | x^0) = N(√ᾱ_t x^0, (1−ᾱ_t) I) and the posterior
 * q(x^{t−1} | x^t, x^0) is Gaussian with precision 1/(1−ᾱ_{t−1}) + (1−β_t)/β_t.
 *
 * Binomial: each bit is kept with probability 1−β_t and otherwise redrawn as a
 * fair coin: q(x^t = 1 | x^{t−1}) = x^{t−1}(1−β_t) + β_t/2, so a bit survives t
 * steps with probability ᾱ_t and q(x^t = 1 | x^0) = x^0 ᾱ_t + (1−ᾱ_t)/2.
 *
 * Arrays are indexed by t − 1: beta[0] is β_1.
 *
 * @module
 */

export const SCHEDULES = ["paper", "geometric", "linear"] as const;
export type Schedule = typeof SCHEDULES[number];

const LOG_2PI_E = Math.log(2 * Math.PI * Math.E);

/**
 * β_1…β_T.
 * - paper, Gaussian: the released code's baseline, 1/linspace(T, 2, T) (a fraction
 *   of the remaining signal destroyed each step, about 1/T of the variance left at
 *   the end), floored at 1e-6 and at 1e-3 more for β_1 (the reverse process's
 *   smallest variance).
 * - paper, binomial: β_t = 1/(T − t + 1), the paper's schedule for binary data; β_T = 1
 *   erases everything.
 * - geometric: β log-spaced from `lo` to `hi` (fine steps near the data, where the
 *   likelihood is decided; the paper learns β_{2…T} with β_1 small instead).
 * - linear: β from `lo` to `hi` (Ho et al. 2020 use 1e-4 to 0.02 at T = 1000).
 */
export function makeSchedule(
  kind: Schedule,
  steps: number,
  binomial: boolean,
  lo = 1e-4,
  hi = 0.05,
): Float64Array {
  if (!(steps >= 2)) throw new RangeError(`T must be at least 2, got ${steps}`);
  const beta = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    const t = i + 1;
    if (kind === "paper") {
      if (binomial) beta[i] = 1 / (steps - t + 1);
      else {
        const base = 1 / (steps - (i * (steps - 2)) / (steps - 1));
        const floor = 1e-6 + (i === 0 ? 1e-3 : 0);
        beta[i] = floor + base * (1 - floor - 1e-5);
      }
    } else if (kind === "linear") beta[i] = lo + ((hi - lo) * i) / (steps - 1);
    else beta[i] = lo * (hi / lo) ** (i / (steps - 1));
  }
  return beta;
}

/** Throws a RangeError naming the first β outside (0, 1] (1 only for binomial). */
export function checkSchedule(beta: Float64Array, binomial: boolean): void {
  beta.forEach((b, i) => {
    const ok = b > 0 && (binomial ? b <= 1 : b < 1);
    if (!ok) {
      throw new RangeError(
        `β_${i + 1} = ${b} is outside ${binomial ? "(0, 1]" : "(0, 1)"}`,
      );
    }
  });
}

/** ᾱ_0…ᾱ_T (ᾱ_0 = 1): the fraction of x^0 left after t steps. */
export function alphaBar(beta: Float64Array): Float64Array {
  const out = new Float64Array(beta.length + 1);
  out[0] = 1;
  for (let t = 1; t <= beta.length; t++) out[t] = out[t - 1] * (1 - beta[t - 1]);
  return out;
}

/** Gaussian q(x^{t−1} | x^t, x^0) per dimension: mean = a x^0 + b x^t, variance v (t ≥ 2). */
export function gaussianPosterior(
  beta: Float64Array,
  ab: Float64Array,
  t: number,
): { a: number; b: number; variance: number } {
  const bt = beta[t - 1];
  const prevVar = 1 - ab[t - 1]; // Var q(x^{t−1} | x^0)
  const precision = 1 / prevVar + (1 - bt) / bt;
  const variance = 1 / precision;
  return {
    a: (Math.sqrt(ab[t - 1]) / prevVar) * variance,
    b: (Math.sqrt(1 - bt) / bt) * variance,
    variance,
  };
}

/** Entropy (nats) of a d-dimensional isotropic Gaussian of variance v. */
export function gaussianEntropy(d: number, v: number): number {
  return 0.5 * d * (LOG_2PI_E + Math.log(v));
}

/** Entropy (nats) of a Bernoulli(p). */
export function bernoulliEntropy(p: number): number {
  if (p <= 0 || p >= 1) return 0;
  return -p * Math.log(p) - (1 - p) * Math.log(1 - p);
}

/**
 * Sohl-Dickstein et al. Eq. 13 / THEORY.md §5: the forward process alone bounds
 * the entropy of each reverse step,
 *   H_q(X^t|X^{t−1}) + H_q(X^{t−1}|X^0) − H_q(X^t|X^0) ≤ H_q(X^{t−1}|X^t) ≤ H_q(X^t|X^{t−1}),
 * for t = 1…T in d dimensions (nats). At t = 1, X^0 given X^0 is a point: the lower
 * bound is −∞ (null).
 */
export function reverseEntropyBounds(
  beta: Float64Array,
  d: number,
  binomial: boolean,
): { t: number; lower: number | null; upper: number }[] {
  const ab = alphaBar(beta);
  const step = (t: number) =>
    binomial ? d * bernoulliEntropy(beta[t - 1] / 2) : gaussianEntropy(d, beta[t - 1]);
  // H_q(X^t | X^0): each bit flipped with probability (1 − ᾱ_t)/2
  const fromStart = (t: number) =>
    binomial ? d * bernoulliEntropy((1 - ab[t]) / 2) : gaussianEntropy(d, 1 - ab[t]);
  const out = [];
  for (let t = 1; t <= beta.length; t++) {
    const upper = step(t);
    const lower = t === 1 && !binomial ? null : upper + fromStart(t - 1) - fromStart(t);
    out.push({ t, lower, upper });
  }
  return out;
}
