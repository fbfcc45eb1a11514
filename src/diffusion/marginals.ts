/**
 * After training: the marginals along both directions of time, as rows. Forward (data
 * noised, in closed form), the network's reverse chain from noise, and for Gaussian data
 * the ideal kernels' chain from the same noise (ceiling.ts): each marginal's entropy
 * beside the schedule's bounds on each reverse step, each reverse step's own entropy, and
 * at five frames (t = 0, T/4, T/2, 3T/4, T) the particles themselves and, for the Swiss
 * roll, their median distance to the roll.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { median } from "../stats/error_bars.ts";
import { forwardSample } from "./bound.ts";
import { idealStepEntropy, sampleIdealReverse } from "./ceiling.ts";
import { distanceToCurve } from "./curve_distance.ts";
import { SWISS_ROLL } from "./data.ts";
import { knnEntropy } from "./entropy.ts";
import { heartbeatEntropy } from "./heartbeat_entropy.ts";
import { type ReverseSampler, sampleReverse, stepEntropy } from "./model.ts";
import { reverseEntropyBounds } from "./schedule.ts";

/** Forward samples over which each reverse step's entropy is averaged: ≈ 0.01 nats. */
const STEP_ENTROPY_ROWS = 500;
/** Marginals drawn at most this many times along t (the heartbeat's T = 2000). */
const MAX_MARGINALS = 200;

export interface MarginalsInput {
  readonly beta: Float64Array;
  readonly binomial: boolean;
  readonly net: ReverseSampler;
  /** the ceiling's training points, for the ideal kernels; null: no ideal rows */
  readonly ceilingTrain: Float64Array | null;
  /** the particles at t = 0, fresh draws of the data */
  readonly x0: Float64Array;
  readonly rng: Rng;
  readonly tick: () => Promise<void>;
}

type Value = number | string | null;
export type MarginalRow = {
  readonly stream: "entropy" | "samples";
  readonly row: Readonly<Record<string, Value>>;
};

export async function* marginals(i: MarginalsInput): AsyncGenerator<MarginalRow> {
  const { beta, binomial, net, ceilingTrain, x0, rng } = i;
  const d = net.spec.d;
  const T = beta.length;
  const n = x0.length / d;
  const shown = binomial ? Math.min(n, 20) : n; // a heartbeat particle is 20 rows
  const frames = new Set([0, 1, 2, 3, 4].map((k) => Math.round((k * T) / 4)));
  const every = Math.max(1, Math.floor(T / MAX_MARGINALS));
  const drawn = (t: number) => t % every === 0 || t === T || frames.has(t);
  const bounds = reverseEntropyBounds(beta, d, binomial);
  const particles = function* (t: number, direction: string, x: Float64Array) {
    if (!frames.has(t)) return;
    for (let p = 0; p < shown; p++) {
      if (binomial) {
        for (let j = 0; j < d; j++) {
          yield {
            stream: "samples" as const,
            row: { t, direction, particle: p, x: j, y: x[p * d + j] },
          };
        }
      } else {
        yield {
          stream: "samples" as const,
          row: { t, direction, particle: p, x: x[2 * p], y: x[2 * p + 1] },
        };
      }
    }
  };
  const entropyRow = (
    t: number,
    direction: string,
    x: Float64Array,
    entropy: number | null,
    step: { model: number | null; ideal: number | null } = { model: null, ideal: null },
  ): MarginalRow => ({
    stream: "entropy",
    row: {
      t,
      direction,
      beta: t > 0 ? beta[t - 1] : null,
      entropy,
      lower: t > 0 ? bounds[t - 1].lower : null,
      upper: t > 0 ? bounds[t - 1].upper : null,
      model_step_entropy: step.model,
      ideal_step_entropy: step.ideal,
      median_distance: !binomial && frames.has(t)
        ? median(distanceToCurve(SWISS_ROLL, x.subarray(0, 2 * n)))
        : null,
    },
  });
  // Each reverse step's own entropy H(X^{t−1}|X^t), the network's and the ideal kernels',
  // over forward samples x^t ~ q, is what the schedule's bounds are about. (Step 1 is the
  // forward kernel: its entropy is `upper`.)
  const stepRows = STEP_ENTROPY_ROWS * d;
  const stepEntropies = (t: number, xt: Float64Array) =>
    t < 2 ? undefined : {
      model: stepEntropy(net, xt.subarray(0, stepRows), t),
      ideal: ceilingTrain
        ? idealStepEntropy(beta, ceilingTrain, xt.subarray(0, stepRows), t, d)
        : null,
    };
  for (let t = 0; t <= T; t++) {
    if (!drawn(t)) continue;
    const xt = t === 0 ? x0 : forwardSample(x0, t, net.ab, binomial, d, rng);
    const h = binomial ? heartbeatEntropy(net.ab[t]) : knnEntropy(xt, d, 3);
    yield entropyRow(t, "forward", xt, h, stepEntropies(t, xt));
    yield* particles(t, "forward", xt);
    await i.tick();
  }
  // the heartbeat's reverse entropy is not estimated, so only the shown particles run
  const xT = new Float64Array((binomial ? shown : n) * d).map(() =>
    binomial ? Number(rng.uniform() < 0.5) : rng.normal()
  );
  const reverse: MarginalRow[] = [];
  sampleReverse(net, xT, rng, (t, x) => {
    if (!drawn(t)) return;
    reverse.push(entropyRow(t, "reverse", x, binomial ? null : knnEntropy(x, d, 3)));
    reverse.push(...particles(t, "reverse", x));
  });
  yield* reverse;
  if (!ceilingTrain) return;
  // The ideal reverse kernels behind the ceiling, from the same noise: the structure this
  // schedule lets a Gaussian reverse process rebuild, beside what the network rebuilt.
  const ideal: MarginalRow[] = [];
  await sampleIdealReverse(beta, ceilingTrain, xT, d, rng, (t, x) => {
    if (!drawn(t)) return;
    ideal.push(entropyRow(t, "ideal", x, knnEntropy(x, d, 3)));
    ideal.push(...particles(t, "ideal", x));
  }, i.tick);
  yield* ideal;
}
