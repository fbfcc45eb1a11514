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
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { edgeTerms, forwardSample } from "./bound.ts";
import { alphaBar, gaussianPosterior } from "./schedule.ts";

/**
 * K (bits per example) on held-out `test` with moment-matched reverse kernels from
 * `train`. O(T · |train| · |test| · d): about 1.5 s for 40 steps, 2,000 × 500 points, so
 * `tick` is awaited after each step to keep a server responsive.
 */
export async function gaussianCeiling(
  beta: Float64Array,
  train: Float64Array,
  test: Float64Array,
  d: number,
  rng: Rng,
  tick: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const ab = alphaBar(beta);
  const T = beta.length;
  const n = train.length / d;
  const count = test.length / d;
  const logw = new Float64Array(n);
  const mean0 = new Float64Array(d), sq0 = new Float64Array(d);
  let klSum = 0;
  for (let t = 2; t <= T; t++) {
    const post = gaussianPosterior(beta, ab, t);
    const xt = forwardSample(test, t, ab, false, d, rng);
    const s = Math.sqrt(ab[t]), v = 1 - ab[t];
    for (let e = 0; e < count; e++) {
      // log q(x^t | x^0_i) up to a constant, then normalised weights
      let top = -Infinity;
      for (let i = 0; i < n; i++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const z = xt[e * d + k] - s * train[i * d + k];
          r2 += z * z;
        }
        logw[i] = -r2 / (2 * v);
        if (logw[i] > top) top = logw[i];
      }
      mean0.fill(0);
      sq0.fill(0);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const w = Math.exp(logw[i] - top);
        total += w;
        for (let k = 0; k < d; k++) {
          const x = train[i * d + k];
          mean0[k] += w * x;
          sq0[k] += w * x * x;
        }
      }
      for (let k = 0; k < d; k++) {
        const m0 = mean0[k] / total;
        const var0 = Math.max(0, sq0[k] / total - m0 * m0);
        const x = xt[e * d + k];
        const pMean = post.a * m0 + post.b * x;
        const pVar = post.variance + post.a * post.a * var0;
        const diff = post.a * test[e * d + k] + post.b * x - pMean;
        klSum += 0.5 * Math.log(pVar / post.variance) +
          (post.variance + diff * diff) / (2 * pVar) - 0.5;
      }
    }
    await tick();
  }
  return (-klSum / count + edgeTerms(beta, ab, test, d, false)) / Math.LN2;
}
