/**
 * A critical point's Hessian spectrum as the loss-landscape pipeline reports it, from
 * either method: exact eigenvalues of the dense float64 Hessian, or stochastic Lanczos
 * quadrature (slq.ts) past the dense limit. Both give the index α (the fraction of
 * negative eigenvalues, bracketed where eigenvalues near 0 cannot be told apart) and a
 * histogram of the spectrum with an edge at 0, so negative and positive bars never share
 * a bin.
 *
 * @module
 */
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { type Bin, binEdges, histogram } from "../stats/histogram.ts";
import { binnedDensity, extremes, fractionBelow, type Quadrature } from "./slq.ts";

/** bins of a spectrum histogram (one more when shifted to put an edge at 0) */
const SPECTRUM_BINS = 40;

/** What the critical-point row and the spectrum stream need, from either method. */
export interface PointSpectrum {
  readonly row: {
    index: number;
    index_lo: number;
    index_hi: number;
    method: "exact" | "slq";
    lambda_min: number;
    lambda_max: number;
    zero: number | null;
  };
  bins(): Bin[];
}

/** The dense Hessian's spectrum; eigenvalues within 1e-9 of the largest |λ| count as zero. */
export function exactSpectrum(hessian: Float64Array, n: number): PointSpectrum {
  const { values } = symmetricEigen(hessian, n);
  const tiny = 1e-9 * Math.max(Math.abs(values[0]), Math.abs(values[n - 1]));
  let negative = 0;
  let zero = 0;
  for (const v of values) {
    if (v < -tiny) negative++;
    else if (v <= tiny) zero++;
  }
  return {
    row: {
      index: negative / n,
      index_lo: negative / n,
      index_hi: (negative + zero) / n,
      method: "exact",
      lambda_min: values[0],
      lambda_max: values[n - 1],
      zero,
    },
    bins: () => histogram(values, { bins: SPECTRUM_BINS, edgeAtZero: true }),
  };
}

/**
 * The SLQ density as expected counts of n per bin, over the weighted 1st–99th
 * percentile of the Ritz nodes; each node smoothed by one bin width (a comb of
 * k nodes per probe is not a density until smoothed).
 */
function slqHistogram(q: Quadrature, n: number): Bin[] {
  const order = [...q.nodes.keys()].sort((a, b) => q.nodes[a] - q.nodes[b]);
  const quantile = (f: number) => {
    let c = 0;
    for (const i of order) if ((c += q.weights[i]) >= f) return q.nodes[i];
    return q.nodes[order.at(-1)!];
  };
  let [lo, hi] = [quantile(0.01), quantile(0.99)];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const edges = binEdges(lo, hi, { bins: SPECTRUM_BINS, edgeAtZero: true });
  const counts = binnedDensity(q, n, edges, edges[1] - edges[0]);
  return counts.map((count, i) => ({ lo: edges[i], hi: edges[i + 1], count }));
}

/** The spectrum from k-step Lanczos quadrature; eigenvalues within one node spacing of 0 bracket α. */
export function slqSpectrum(q: Quadrature, n: number, steps: number): PointSpectrum {
  const { min, max } = extremes(q);
  const delta = (max - min) / steps;
  return {
    row: {
      index: fractionBelow(q, 0),
      index_lo: fractionBelow(q, -delta),
      index_hi: fractionBelow(q, delta),
      method: "slq",
      lambda_min: min,
      lambda_max: max,
      zero: null,
    },
    bins: () => slqHistogram(q, n),
  };
}
