/**
 * A sampled spectrum against its theoretical density: both as the probability mass of
 * each bin (the theory's integrated over the bin by Gauss–Legendre, so a density with
 * a sharp edge is compared fairly), and their total-variation distance ½ Σ|p − q|.
 * The shape the random-matrix pipelines stream: one row per bin, `source` telling
 * theory from simulation.
 *
 * @module
 */
import { type Bin, binEdges, type BinOptions, countInBins } from "./histogram.ts";

/** 8-point Gauss–Legendre nodes and weights on [−1, 1]. */
const GL_X = [
  -0.9602898564975363,
  -0.7966664774136267,
  -0.5255324099163290,
  -0.1834346424956498,
  0.1834346424956498,
  0.5255324099163290,
  0.7966664774136267,
  0.9602898564975363,
];
const GL_W = [
  0.1012285362903763,
  0.2223810344533745,
  0.3137066458778873,
  0.3626837833783620,
  0.3626837833783620,
  0.3137066458778873,
  0.2223810344533745,
  0.1012285362903763,
];

/** ∫ f over [a, b], 8-point Gauss–Legendre on each of `panels` equal sub-intervals. */
export function integrate(f: (x: number) => number, a: number, b: number, panels = 4): number {
  const h = (b - a) / panels;
  let s = 0;
  for (let p = 0; p < panels; p++) {
    const mid = a + (p + 0.5) * h;
    for (let i = 0; i < 8; i++) s += GL_W[i] * f(mid + (GL_X[i] * h) / 2);
  }
  return (s * h) / 2;
}

export interface DensityBin {
  readonly lo: number;
  readonly hi: number;
  /** the samples' mass in the bin (fraction of all samples) */
  readonly simulation: number;
  /** the density's mass in the bin */
  readonly theory: number;
}

/**
 * Samples against a density over [lo, hi] in `bins` (linear or log): each bin's mass both
 * ways, and the total-variation distance between the two (samples outside [lo, hi] count
 * in the end bins; the density's mass outside is not).
 */
export function compareToDensity(
  samples: ArrayLike<number>,
  density: (x: number) => number,
  lo: number,
  hi: number,
  opts: BinOptions,
): { bins: DensityBin[]; totalVariation: number } {
  const edges = binEdges(lo, hi, opts);
  const counts: Bin[] = countInBins(samples, edges);
  const bins = counts.map((b) => ({
    lo: b.lo,
    hi: b.hi,
    simulation: b.count / samples.length,
    theory: integrate(density, b.lo, b.hi),
  }));
  const totalVariation = 0.5 * bins.reduce((s, b) => s + Math.abs(b.simulation - b.theory), 0);
  return { bins, totalVariation };
}
