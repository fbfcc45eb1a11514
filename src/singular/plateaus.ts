/**
 * The plateau's statistics (Amari, Park & Ozeki 2006; pipelines/singularities.ts): random
 * starts near the overlap line, each trained by gradient descent and by natural gradient, the
 * time each spends on the plateau (the error within BAND of the line's), and both methods'
 * histograms over one set of bins.
 *
 * @module
 */
import { type Emit, type RunContext, RunError } from "../runtime/pipeline.ts";
import { fromAmari, type StepOptions, stepper } from "./dynamics.ts";
import { generalisationError, type Teacher } from "./two_unit.ts";
import { binEdges, countInBins } from "../stats/mod.ts";

/** the z range of the (z, |u|) plane: the random starts are drawn across it */
export const PLANE_Z_RANGE = [-4, 4] as const;
/** a plateau: the error within this fraction of the overlap line's */
const BAND = 0.05;
const Z_RANGE = PLANE_Z_RANGE;

/** What the plateau statistics read of the pipeline's params. */
export interface PlateauParams {
  readonly starts: number;
  readonly steps: number;
  readonly eta: number;
}

/** The problem: the teacher, the line's critical point (v*, J*) and its error, each method's step. */
export interface PlateauSetup {
  readonly teacher: Teacher;
  readonly n: number;
  readonly vStar: number;
  readonly jStar: readonly number[];
  readonly plateau: number;
  readonly options: (method: "gd" | "ngd") => StepOptions;
}

export async function* plateauStatistics(
  p: PlateauParams,
  ctx: RunContext,
  { teacher, n, vStar, jStar, plateau, options }: PlateauSetup,
  progress: { done: number; readonly total: number },
): AsyncGenerator<Emit> {
  // plateau statistics: random starts near the line, GD against NGD
  const durations: Record<string, number[]> = { gd: [], ngd: [] };
  for (let i = 0; i < p.starts; i++) {
    const u = Float64Array.from({ length: n }, () => 0.05 * ctx.rng.normal());
    const th0 = fromAmari(
      vStar * (0.6 + 0.4 * ctx.rng.uniform()),
      Z_RANGE[0] + (Z_RANGE[1] - Z_RANGE[0]) * ctx.rng.uniform(),
      jStar.map((x) => x * (0.5 + 0.5 * ctx.rng.uniform())),
      u,
    );
    for (const method of ["gd", "ngd"] as const) {
      const s = stepper(method, th0, teacher, n, options(method));
      let on = 0;
      for (let k = 0; k < p.steps; k++) {
        if (Math.abs(generalisationError(s.theta, teacher, n) - plateau) < BAND * plateau) on++;
        try {
          s.step();
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          throw new RunError(
            "ngd: the Fisher matrix is singular on the overlap line: use --damping > 0 (e.g. 1e-6)",
            { method, start: i },
          );
        }
      }
      const duration = on * p.eta;
      durations[method].push(duration);
      yield { stream: "plateau", row: { method, start: i, duration } };
      progress.done += p.steps;
      ctx.progress(progress.done, progress.total);
      await ctx.tick();
    }
  }
  // one set of bins for both, from 0 to the longest plateau, so the two can be compared
  const edges = binEdges(0, Math.max(p.eta, ...durations.gd, ...durations.ngd) * 1.0001, {
    bins: 10,
  });
  for (const method of ["gd", "ngd"] as const) {
    for (const b of countInBins(durations[method], edges)) {
      yield {
        stream: "plateau-histogram",
        row: { method, lo: b.lo, hi: b.hi, count: b.count },
      };
    }
  }
}
