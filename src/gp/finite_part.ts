/**
 * nngp's finite nets (pipelines/nngp.ts): nets of growing width trained from the NTK
 * parametrisation on the first n_finite digits, against the NTK's linear model at the same
 * step (Lee et al. 2019): their accuracy and distance to the kernel's prediction, which falls
 * like 1/√width. Rows as the pipeline's streams document them.
 *
 * @module
 */
import { type Emit, type RunContext, RunError } from "../runtime/pipeline.ts";
import type { deepKernels } from "./kernel.ts";
import { leadingBlock, leadingColumns } from "./kernel.ts";
import { score, targets } from "./regression.ts";
import { largestNtkEigenvalue, ntkAtStep, relativeDistance, trainFinite } from "./finite.ts";
import type { GpInputs, GpProgress } from "./inputs.ts";

/** the finite nets' held-out digits */
const FINITE_TEST = 500;

/** What the finite-nets part reads of the pipeline's params. */
export interface FinitePartParams {
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly depth: number;
  /** how many widths: 64, 128, … */
  readonly widths: number;
  readonly n_finite: number;
  readonly steps: number;
}

/** The widths trained: 64, 128, 256, … (`count` of them). */
export const finiteWidths = (count: number) => Array.from({ length: count }, (_, i) => 64 * 2 ** i);

/** The finite nets' work in progress units (width² · steps / 4096 per net). */
export function finiteWork(p: FinitePartParams): number {
  return finiteWidths(p.widths).reduce((s, w) => s + w * w, 0) * p.steps / 4096;
}

/** The finite-nets part's rows, against the NTK in `k`. */
export async function* finiteNets(
  p: FinitePartParams,
  ctx: RunContext,
  { name, data }: GpInputs,
  k: ReturnType<typeof deepKernels>,
  progress: GpProgress,
): AsyncGenerator<Emit> {
  const spec = { activation: name, sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2, depth: p.depth };
  const n = data.train.y.length, m = data.test.y.length;
  const widths = finiteWidths(p.widths);
  // finite nets on the first n_finite digits, against their NTK's linear model
  const nf = p.n_finite, mf = Math.min(m, FINITE_TEST);
  if (widths.length) {
    const ntkF = leadingBlock(k.ntk!.train, n, nf);
    const crossF = leadingColumns(k.ntk!.cross, m, n, nf).subarray(0, mf * nf);
    const kernelF = { train: ntkF, cross: crossF, diag: k.ntk!.diag };
    const lr = nf / largestNtkEigenvalue(kernelF, nf);
    const yF = targets(data.train.y.slice(0, nf));
    const ref = ntkAtStep(kernelF, yF, nf, mf, lr, p.steps);
    const testF = { x: data.test.x.slice(0, mf), y: data.test.y.slice(0, mf) };
    const trainF = { x: data.train.x.slice(0, nf), y: data.train.y.slice(0, nf) };
    const refScore = score(ref, testF.y);
    let first: { width: number; distance: number } | null = null;
    for (const width of widths) {
      const out = await trainFinite(
        { ...spec, width, steps: p.steps, lr },
        trainF,
        testF,
        ctx.rng,
        ctx.tick,
        () => ctx.progress(Math.floor(progress.done += (width * width) / 4096), progress.total),
        ctx.float32,
      ).catch((e) => {
        throw new RunError(String((e as Error).message ?? e), { width });
      });
      const s = score(out, testF.y);
      const distance = relativeDistance(out, ref);
      first ??= { width, distance };
      yield {
        stream: "finite",
        row: {
          width,
          step: p.steps,
          accuracy: s.accuracy,
          distance_to_kernel: distance,
          source: "simulation",
        },
      };
      yield {
        stream: "finite",
        row: {
          width,
          step: p.steps,
          accuracy: refScore.accuracy,
          distance_to_kernel: first.distance * Math.sqrt(first.width / width),
          source: "theory",
        },
      };
      yield {
        stream: "gp",
        row: {
          n_train: nf,
          kernel: `width ${width} net`,
          accuracy: s.accuracy,
          mse: s.mse,
          source: "simulation",
        },
      };
    }
  }
}
