/**
 * One GP fit end to end: kernels from dot products, factorisation, posterior mean, score —
 * the unit the pipeline repeats for nested training sets, both kernels and every cell of
 * the (σw², σb²) grid.
 *
 * @module
 */
import {
  deepKernels,
  type KernelBlocks,
  type KernelSpec,
  leadingBlock,
  leadingColumns,
} from "./kernel.ts";
import { factorKernel, posteriorMean, score, targets } from "./regression.ts";

export interface Fit {
  readonly accuracy: number;
  readonly mse: number;
  readonly mean: Float64Array;
  readonly factor: Float64Array;
}

/** GP regression with kernel blocks on the first n training inputs (nested subsets). */
export function fitKernel(
  k: KernelBlocks,
  big: number,
  n: number,
  m: number,
  trainLabels: readonly number[],
  testLabels: readonly number[],
  jitter: number,
): Fit {
  const train = n === big ? k.train : leadingBlock(k.train, big, n);
  const cross = n === big ? k.cross : leadingColumns(k.cross, m, big, n);
  const factor = factorKernel(train, n, k.diag, jitter);
  const mean = posteriorMean(factor, cross, targets(trainLabels.slice(0, n)), n, m);
  return { ...score(mean, testLabels), mean, factor };
}

/** The NNGP's held-out accuracy for one (φ, σw², σb², L) from precomputed dot products. */
export function nngpAccuracy(
  spec: KernelSpec,
  dots: { train: Float64Array; cross: Float64Array },
  trainLabels: readonly number[],
  testLabels: readonly number[],
  jitter: number,
): number {
  const n = trainLabels.length, m = testLabels.length;
  const { nngp } = deepKernels(spec, dots, n, false);
  return fitKernel(nngp, n, n, m, trainLabels, testLabels, jitter).accuracy;
}
