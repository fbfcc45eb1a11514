/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017; Ghorbani, Krishnan &
 * Xiao 2019): the spectral density of a Hessian too large to form, from
 * Hessian-vector products alone.
 *
 * For a unit probe v, k Lanczos steps from v give T = Y Θ Yᵀ, and the Ritz values
 * θ_j with weights τ_j = Y_{0j}² (squared first components) are the k-point
 * Gauss quadrature of the measure Σ_i (vᵀu_i)² δ(λ − λ_i): exact for every
 * polynomial of degree ≤ 2k − 1. With v uniform on the sphere that measure's
 * mean is the eigenvalue density (1/n) Σ δ(λ − λ_i), so averaging the nodes over
 * probes estimates the density, the index (weight below 0) and tr f(H) / n.
 *
 * @module
 */
import { erf } from "../numerics/erf.ts";
import type { Rng } from "../random/rng.ts";
import { lanczos } from "./newton.ts";
import type { Objective } from "./objective.ts";

export interface Quadrature {
  /** Ritz values of every probe, concatenated */
  readonly nodes: Float64Array;
  /** their weights, each probe's summing to 1/probes (so the total is 1) */
  readonly weights: Float64Array;
}

export interface SlqOptions {
  /** Lanczos steps per probe (nodes per probe) */
  readonly steps: number;
  /** random probe vectors averaged over */
  readonly probes: number;
  readonly rng: Rng;
}

/** SLQ nodes and weights of the Hessian of `obj` at θ. */
export function slq(obj: Objective, theta: Float64Array, opts: SlqOptions): Quadrature {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let p = 0; p < opts.probes; p++) {
    // Gaussian directions are uniform on the sphere once normalised (lanczos normalises)
    const v = new Float64Array(obj.n);
    opts.rng.fillNormal(v);
    const kry = lanczos(obj, theta, v, opts.steps);
    const m = kry.values.length;
    for (let j = 0; j < m; j++) {
      // eigenvectors are rows of `vectors`; e₁ᵀ y_j is the row's first entry
      const y0 = kry.vectors[j * m];
      nodes.push(kry.values[j]);
      weights.push((y0 * y0) / opts.probes);
    }
  }
  return { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights) };
}

/** Estimated fraction of eigenvalues below `below` (the index α for below = 0). */
export function fractionBelow(q: Quadrature, below = 0): number {
  let s = 0;
  for (let i = 0; i < q.nodes.length; i++) if (q.nodes[i] < below) s += q.weights[i];
  return s;
}

/** Smallest and largest Ritz values: they converge first, from inside the spectrum. */
export function extremes(q: Quadrature): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of q.nodes) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * Expected eigenvalue counts (of n) per bin [edges[i], edges[i+1]): each node
 * spread as a Gaussian of std `sigma` (k nodes per probe are a coarse comb; the
 * smoothing turns them into a density), integrated exactly over each bin with
 * erf. Mass beyond the outer edges lands in the end bins, as in the exact
 * histograms.
 */
export function binnedDensity(
  q: Quadrature,
  n: number,
  edges: readonly number[],
  sigma: number,
): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const cdf = (x: number, mu: number) =>
    sigma > 0 ? 0.5 * (1 + erf((x - mu) / (Math.SQRT2 * sigma))) : (x >= mu ? 1 : 0);
  for (let i = 0; i < q.nodes.length; i++) {
    const mu = q.nodes[i];
    for (let b = 0; b < bins; b++) {
      const lo = b === 0 ? 0 : cdf(edges[b], mu);
      const hi = b === bins - 1 ? 1 : cdf(edges[b + 1], mu);
      counts[b] += n * q.weights[i] * (hi - lo);
    }
  }
  return counts;
}
