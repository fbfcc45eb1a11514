/**
 * What the pipelines share for turning simulations into rows: histograms on linear or
 * log axes, Monte Carlo error bars, a sampled spectrum against its density, and
 * evenly spaced progress ticks.
 *
 * @module
 */
export {
  type Bin,
  binEdges,
  type BinOptions,
  countInBins,
  histogram,
  quantileSorted,
} from "./histogram.ts";
export { batchMeans, meanAndError, type MeanError, median } from "./error_bars.ts";
export { compareToDensity, type DensityBin, integrate } from "./density.ts";
export { type Ticks, ticks } from "./progress.ts";
export { logspace } from "./grid.ts";
export { ranks, spearman } from "./rank.ts";
