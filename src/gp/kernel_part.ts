/**
 * nngp's kernels and their GP fits (pipelines/nngp.ts): the layer map's lattice error, the
 * NNGP and NTK of every pair of digits layer by layer beside the c-map, GP regression with each
 * on nested training sets, and the NNGP's predictive variance against its error (Lee et al.
 * 2018, Eq. 4 and Fig. 3; Lee et al. 2019). Rows as the pipeline's streams document them.
 *
 * @module
 */
import { type Emit, type RunContext, RunError } from "../runtime/pipeline.ts";
import { activation } from "../signal/activations.ts";
import { fixedPoint } from "../signal/fixed_point.ts";
import { covarianceMap } from "../signal/maps.ts";
import { deepKernels } from "./kernel.ts";
import { fitKernel } from "./fit.ts";
import { LATTICE_POINTS, latticeError } from "./layer_map.ts";
import { predictiveVariance, SingularKernelError } from "./regression.ts";
import { calibration } from "./uncertainty.ts";
import type { GpInputs } from "./inputs.ts";

/** held-out digits whose predictive variance is computed (n²/2 flops each) */
const VARIANCE_POINTS = 1000;
const BINS = 10;

/** What the kernel part reads of the pipeline's params. */
export interface KernelPartParams {
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly depth: number;
  readonly jitter: number;
}

/** 100, 200, 400, … below n, then n: the nested training sets of the accuracy curve. */
export function trainSizes(n: number): number[] {
  const out: number[] = [];
  for (let k = 100; k < n; k *= 2) out.push(k);
  out.push(n);
  return out;
}

/** A singular kernel as the run's error, naming the jitter that works (if one was found). */
function singular(e: unknown, what: string): never {
  if (e instanceof SingularKernelError) {
    throw new RunError(
      `the ${what} kernel is numerically singular at --jitter ${e.jitter}` +
        (e.works === null ? "" : `: rerun with --jitter ${e.works}`),
      { jitter: e.jitter, works: e.works },
    );
  }
  throw e;
}

/** The kernel part's rows; returns the kernels, for the finite nets. */
export async function* kernelsAndFits(
  p: KernelPartParams,
  ctx: RunContext,
  { name, data, dots }: GpInputs,
): AsyncGenerator<Emit, ReturnType<typeof deepKernels>> {
  const act = activation(name);
  const spec = { activation: name, sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2, depth: p.depth };
  const n = data.train.y.length, m = data.test.y.length;
  const q0 = p.sigma_b2 + p.sigma_w2;
  const closed = name !== "tanh";
  const err = closed ? { pair: 0, slope: 0 } : latticeError(act, q0);
  yield {
    stream: "lattice",
    row: {
      activation: name,
      points: closed ? 0 : LATTICE_POINTS,
      max_error_pair: err.pair,
      max_error_slope: err.slope,
    },
  };
  const k = deepKernels(spec, dots, n);
  // the kernel's depth behaviour against the c-map from the same start
  const field = { act, sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2 };
  const fp = fixedPoint(field);
  // src/signal's covariance map for one pair at the kernel's own q (not yet at q*)
  let q = k.layers[0].q, q12 = k.layers[0].mean_correlation * q;
  for (const s of k.layers) {
    if (s.layer > 0) [q, , q12] = covarianceMap(field, q, q, q12);
    yield { stream: "kernel", row: { ...s, c_map: q12 / q, c_star: fp.c_star } };
  }
  await ctx.tick();
  let nngpFit;
  for (const size of trainSizes(n)) {
    for (const kind of ["nngp", "ntk"] as const) {
      let fit;
      try {
        fit = fitKernel(k[kind]!, n, size, m, data.train.y, data.test.y, p.jitter);
      } catch (e) {
        singular(e, kind === "nngp" ? "NNGP" : "NTK");
      }
      if (kind === "nngp" && size === n) nngpFit = fit!;
      yield {
        stream: "gp",
        row: {
          n_train: size,
          kernel: kind,
          accuracy: fit!.accuracy,
          mse: fit!.mse,
          source: "theory",
        },
      };
      await ctx.tick();
    }
  }
  const count = Math.min(m, VARIANCE_POINTS);
  const variance = predictiveVariance(nngpFit!.factor, k.nngp.cross, k.nngp.diag, n, count);
  const cal = calibration(
    variance,
    nngpFit!.mean.subarray(0, count * 10),
    data.test.y.slice(0, count),
    BINS,
  );
  for (const row of cal) yield { stream: "uncertainty", row };
  await ctx.tick();
  return k;
}
