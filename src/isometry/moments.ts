/**
 * The mean and variance of the eigenvalues of JJᵀ for the end-to-end Jacobian
 * J = Π D^l W^l of a depth-L network at its fixed point (Pennington, Schoenholz & Ganguli
 * 2017, Eqs. 8–9; THEORY.md §3): m1 = (σw² μ1)^L and
 * σ² = m1² L (μ2/μ1² − 1 − s1), s1 = −1 for Gaussian weights, 0 for orthogonal ones.
 * On the critical line m1 = 1, and σ² grows linearly in L unless μ2 = μ1² and the
 * weights are orthogonal: dynamical isometry.
 *
 * @module
 */
import type { CriticalPoint } from "./critical_point.ts";

export const WEIGHTS = ["gaussian", "orthogonal"] as const;
export type Weights = typeof WEIGHTS[number];

export function jacobianMoments(
  p: CriticalPoint,
  weights: Weights,
  depth: number,
): { mean: number; variance: number } {
  const m1 = (p.sigma_w2 * p.mu1) ** depth;
  const s1 = weights === "gaussian" ? -1 : 0;
  return { mean: m1, variance: m1 * m1 * depth * (p.mu2 / (p.mu1 * p.mu1) - 1 - s1) };
}
