/**
 * Named recipes for the diffusion pipeline: schedule, network and training length set
 * together, so that a user asks for "the talk's slide" or "the paper's Table 1 number"
 * rather than copying six flags. A param left at 0 (or schedule `preset`) takes the
 * preset's value; any param given explicitly wins.
 *
 * Why the Swiss roll's recipes use a small β_1: K ≤ −H(X^1) for any reverse process
 * (limit.ts), and X^1 is the roll blurred by √β_1. The released code's schedule
 * (β_1 ≈ 0.026) caps K at −3.04 bits, so no network under it rebuilds the roll; at
 * β_1 = 1e-5 the cap is 2.62 (docs/pipelines/diffusion.md). A small β_1 in turn needs a deep
 * reverse network: it must know the roll's shape at every blur from √β_1 ≈ 0.003 to
 * ≈ 0.5, which one layer of 16 (the paper's network, for its learned schedule) cannot.
 *
 * @module
 */
import type { Schedule } from "./schedule.ts";

export const PRESETS = ["slide", "table1", "released"] as const;
export type Preset = typeof PRESETS[number];

export interface Recipe {
  readonly schedule: Schedule;
  readonly beta_min: number;
  readonly beta_max: number;
  readonly hidden: number;
  readonly layers: number;
  readonly train_steps: number;
}

/** T and the temporal basis are the paper's whatever the preset (Appendix D.1). */
const PAPER_STEPS = { "swiss-roll": 40, heartbeat: 2000 } as const;

const SMALL_BETA = { schedule: "geometric", beta_min: 1e-5, beta_max: 0.3 } as const;
/** The heartbeat's: the paper's binomial schedule β_t = 1/(T − t + 1) and three layers of 50. */
const PAPER_BINOMIAL = {
  schedule: "paper",
  beta_min: 1e-4,
  beta_max: 0.5,
  hidden: 50,
  layers: 3,
} as const;

export const RECIPES: Readonly<Record<"swiss-roll" | "heartbeat", Record<Preset, Recipe>>> = {
  "swiss-roll": {
    /** rebuilds the roll within a minute on 2 cores (docs/benchmarks.md) */
    slide: { ...SMALL_BETA, hidden: 64, layers: 8, train_steps: 6000 },
    /** the paper's K (2.35 bits) to within ½ bit, in ≤ 5 min */
    table1: { ...SMALL_BETA, hidden: 64, layers: 8, train_steps: 30_000 },
    /** the released code's schedule and the paper's network: K ≤ −3.04 bits whatever is learnt */
    released: {
      schedule: "paper",
      beta_min: 1e-4,
      beta_max: 0.5,
      hidden: 16,
      layers: 1,
      train_steps: 4000,
    },
  },
  heartbeat: {
    /** within 0.2 bits of the true −2.322 in ≤ 3 min (docs/benchmarks.md) */
    slide: { ...PAPER_BINOMIAL, train_steps: 40_000 },
    table1: { ...PAPER_BINOMIAL, train_steps: 40_000 },
    /** the previous default, 4,000 steps: K ≈ −2.65 */
    released: { ...PAPER_BINOMIAL, train_steps: 4000 },
  },
};

export interface Settings extends Recipe {
  readonly preset: Preset;
  readonly binomial: boolean;
  /** T */
  readonly steps: number;
  readonly basis: number;
}

/**
 * The run's settings: the preset's recipe for its dataset, overridden by every param
 * given a value (non-zero numbers, a schedule other than `preset`).
 */
export function resolveSettings(p: {
  dataset: string;
  preset: string;
  schedule: string;
  beta_min: number;
  beta_max: number;
  hidden: number;
  layers: number;
  train_steps: number;
  steps: number;
  basis: number;
}): Settings {
  const dataset = p.dataset === "heartbeat" ? "heartbeat" : "swiss-roll";
  const preset = p.preset as Preset;
  const r = RECIPES[dataset][preset];
  const steps = p.steps || PAPER_STEPS[dataset];
  return {
    preset,
    binomial: dataset === "heartbeat",
    schedule: p.schedule === "preset" ? r.schedule : p.schedule as Schedule,
    beta_min: p.beta_min || r.beta_min,
    beta_max: p.beta_max || r.beta_max,
    hidden: p.hidden || r.hidden,
    layers: p.layers || r.layers,
    train_steps: p.train_steps || r.train_steps,
    steps,
    basis: p.basis || (steps <= 100 ? steps : 20),
  };
}
