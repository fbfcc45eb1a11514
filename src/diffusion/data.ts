/**
 * The two datasets of Sohl-Dickstein et al. 2015, Table 1 (THEORY.md §5).
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";

export const DATASETS = ["swiss-roll", "heartbeat"] as const;
export type Dataset = typeof DATASETS[number];

const ROLL_START = 1.5 * Math.PI;
const ROLL_END = 4.5 * Math.PI;
const rollPoint = (u: number) => {
  const t = ROLL_START + (ROLL_END - ROLL_START) * u;
  return [t * Math.cos(t), t * Math.sin(t)];
};

/**
 * Mean and std of each coordinate of the roll with u uniform, by a 100,000-point
 * midpoint rule: fixed constants, so training and held-out sets share one scaling
 * and both have unit variance per dimension (up to sampling), as in Table 1.
 */
const ROLL_MOMENTS = (() => {
  const n = 100_000;
  const s = [0, 0];
  const s2 = [0, 0];
  for (let i = 0; i < n; i++) {
    const p = rollPoint((i + 0.5) / n);
    for (let c = 0; c < 2; c++) {
      s[c] += p[c];
      s2[c] += p[c] * p[c];
    }
  }
  const mean = s.map((v) => v / n);
  return { mean, std: s2.map((v, c) => Math.sqrt(v / n - mean[c] ** 2)) };
})();
const ROLL_MEAN = ROLL_MOMENTS.mean;
const ROLL_STD = ROLL_MOMENTS.std;

/** A curve u ∈ [0, 1] → R² with its speed |d point/du| (limit.ts integrates along it). */
export interface Curve {
  point(u: number): [number, number];
  speed(u: number): number;
}

/** The standardised roll (what `swissRoll` draws with no noise) as a curve of u. */
export const SWISS_ROLL: Curve = {
  point(u) {
    const p = rollPoint(u);
    return [(p[0] - ROLL_MEAN[0]) / ROLL_STD[0], (p[1] - ROLL_MEAN[1]) / ROLL_STD[1]];
  },
  speed(u) {
    // d/dt (t cos t, t sin t) = (cos t − t sin t, sin t + t cos t), and dt/du = END − START
    const t = ROLL_START + (ROLL_END - ROLL_START) * u;
    const dx = (Math.cos(t) - t * Math.sin(t)) / ROLL_STD[0];
    const dy = (Math.sin(t) + t * Math.cos(t)) / ROLL_STD[1];
    return (ROLL_END - ROLL_START) * Math.hypot(dx, dy);
  },
};

/**
 * n points of the 2-D Swiss roll (t cos t, t sin t), t uniform on [1.5π, 4.5π]
 * (scikit-learn's make_swiss_roll, its x–z plane), plus Gaussian `noise` (in
 * the roll's own units), standardised per dimension. Row-major n × 2.
 */
export function swissRoll(n: number, rng: Rng, noise = 0): Float64Array {
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const p = rollPoint(rng.uniform());
    for (let c = 0; c < 2; c++) {
      out[2 * i + c] = (p[c] + noise * rng.normal() - ROLL_MEAN[c]) / ROLL_STD[c];
    }
  }
  return out;
}

export const HEARTBEAT_LENGTH = 20;
export const HEARTBEAT_PERIOD = 5;

/** n binary sequences of length 20 with a 1 every 5th bin at a uniformly random phase. */
export function heartbeat(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(HEARTBEAT_LENGTH * n);
  for (let i = 0; i < n; i++) {
    const phase = Math.floor(rng.uniform() * HEARTBEAT_PERIOD);
    for (let j = phase; j < HEARTBEAT_LENGTH; j += HEARTBEAT_PERIOD) {
      out[i * HEARTBEAT_LENGTH + j] = 1;
    }
  }
  return out;
}

/** The true log-likelihood of a heartbeat sequence: log(1/5) nats (−2.322 bits). */
export const HEARTBEAT_LOG_LIKELIHOOD = -Math.log(HEARTBEAT_PERIOD);
