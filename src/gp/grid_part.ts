/**
 * nngp's phase diagram of generalisation (pipelines/nngp.ts): the NNGP of a deep net over a
 * grid of (σw², σb²), each cell a full GP fit on the run's first digits, beside the critical
 * line (Lee et al. 2018, Fig. 4). The cells are the sweep a `shardable` run splits.
 *
 * @module
 */
import type { Emit, RunContext } from "../runtime/pipeline.ts";
import { activation } from "../signal/activations.ts";
import { fixedPoint } from "../signal/fixed_point.ts";
import { criticalSigmaW2 } from "../signal/critical_line.ts";
import { leadingBlock, leadingColumns } from "./kernel.ts";
import { nngpAccuracy } from "./fit.ts";
import { SingularKernelError } from "./regression.ts";
import { linspace } from "../trainability/grid.ts";
import type { GpInputs, GpProgress } from "./inputs.ts";

/** the grid's training and held-out digits (every cell is a full GP fit) */
const GRID_TRAIN = 200, GRID_TEST = 300;

/** What the grid part reads of the pipeline's params. */
export interface GridPartParams {
  readonly grid_points: number;
  readonly grid_depth: number;
  readonly grid_sigma_w2_max: number;
  readonly grid_sigma_b2_max: number;
  readonly jitter: number;
}

/** The grid's rows: shard 1 draws the critical line, each shard its share of the cells. */
export async function* generalisationGrid(
  p: GridPartParams,
  ctx: RunContext,
  { name, data, dots }: GpInputs,
  progress: GpProgress,
): AsyncGenerator<Emit> {
  const act = activation(name);
  const n = data.train.y.length, m = data.test.y.length;
  const ws = linspace(0.5, p.grid_sigma_w2_max, p.grid_points);
  const bs = linspace(0, p.grid_sigma_b2_max, p.grid_points);
  for (const b of ctx.mine(0) ? bs : []) {
    const w = criticalSigmaW2(act, b, 0.5, p.grid_sigma_w2_max);
    if (w !== null) yield { stream: "critical-line", row: { sigma_b2: b, sigma_w2: w } };
  }
  // the first digits of the run's own sets (nested), fewer where those are smaller: their
  // dot products are a leading block of the run's
  const gn = Math.min(GRID_TRAIN, n), gm = Math.min(GRID_TEST, m);
  const gTrain = data.train.y.slice(0, gn), gTest = data.test.y.slice(0, gm);
  const gDots = {
    train: leadingBlock(dots.train, n, gn),
    cross: leadingColumns(dots.cross, m, n, gn).subarray(0, gm * gn),
  };
  let cellIndex = 0;
  for (const b of bs) {
    for (const w of ws) {
      if (!ctx.mine(cellIndex++)) continue; // a shard's share of the grid
      const cellSpec = { activation: name, sigma_w2: w, sigma_b2: b, depth: p.grid_depth };
      let accuracy: number | null;
      try {
        accuracy = nngpAccuracy(cellSpec, gDots, gTrain, gTest, p.jitter);
      } catch (e) {
        if (!(e instanceof SingularKernelError)) throw e;
        accuracy = null; // a kernel that forgot its inputs entirely: drawn grey
      }
      const cell = fixedPoint({ act, sigma_w2: w, sigma_b2: b });
      yield {
        stream: "grid",
        row: { sigma_w2: w, sigma_b2: b, accuracy, chi1: cell.chi1, xi_c: cell.xi_c },
      };
      ctx.progress(++progress.done, progress.total);
      await ctx.tick();
    }
  }
}
