/**
 * Training a semantic-cognition net with its theory beside it: the params every part reads,
 * and one loop that records the prediction every `record_every` steps.
 *
 * @module
 */
import { type RunContext, RunError } from "../runtime/pipeline.ts";
import type { Rng } from "../random/rng.ts";
import type { Environment } from "./environments.ts";
import { DeepLinearNet } from "./net.ts";
import { initialStrength, ModeTheory } from "./theory.ts";

/** What the parts read of the pipeline's params. */
export interface SemanticParams {
  readonly depth: number;
  readonly hidden: number;
  readonly init_std: number;
  readonly lr: number;
  readonly steps: number;
  readonly record_every: number;
  readonly flip: number;
}

/** The theory of `env` under these params: each mode from the small start's a0 = (σ√h)^D. */
export function theoryOf(env: Environment, p: SemanticParams): ModeTheory {
  return new ModeTheory(
    env.y,
    env.features.length,
    env.items.length,
    p.depth,
    p.lr,
    p.steps,
    initialStrength(p.init_std, p.hidden, p.depth),
  );
}

/** The steps a part records: every record_every, and the last. */
export function recordedSteps(p: SemanticParams): number[] {
  const out: number[] = [];
  for (let t = 0; t < p.steps; t += p.record_every) out.push(t);
  out.push(p.steps);
  return out;
}

/** One recorded step of a training: W_tot before that step's update, and the net for probes. */
export interface TrainingRecord {
  readonly step: number;
  readonly prediction: Float64Array;
  readonly net: DeepLinearNet;
}

/**
 * Trains a net on `env` from the paper's small random start, yielding every recorded step (so
 * a part streams its rows as the net learns). A loss that grows a millionfold, checked before
 * a step's rows are recorded, is a divergence: the run ends naming lr, with every earlier row.
 */
export async function* train(
  env: Environment,
  p: SemanticParams,
  rng: Rng,
  ctx: RunContext,
  progress: { done: number; total: number },
): AsyncGenerator<TrainingRecord> {
  const dims = [env.items.length, ...Array(p.depth - 1).fill(p.hidden), env.features.length];
  const net = new DeepLinearNet(dims, p.init_std, rng);
  const recorded = new Set(recordedSteps(p));
  let first = NaN;
  for (let t = 0; t <= p.steps; t++) {
    const prediction = net.total(); // W_tot before step t: its loss, and the record
    let loss = 0;
    for (let q = 0; q < env.y.length; q++) loss += (env.y[q] - prediction[q]) ** 2 / 2;
    if (Number.isNaN(first)) first = loss;
    if (!Number.isFinite(loss) || loss > 1e6 * Math.max(first, 1)) {
      throw new RunError(
        `the loss diverged at step ${t}: ${loss} (from ${first}); lower lr (now ${p.lr}) or init_std (now ${p.init_std})`,
        { step: t, param: "lr" },
      );
    }
    if (recorded.has(t)) yield { step: t, prediction, net };
    if (t === p.steps) break;
    net.step(env.y, p.lr);
    ctx.progress(++progress.done, progress.total);
    await ctx.tick();
  }
}
