/**
 * Memorisation by random features (Pennington & Worah 2017, §5; THEORY.md §7): ridge
 * regression of random unit-variance targets y ∈ R^m on the n1 features Y = f(WX) of m
 * samples, minimising (1/m)‖y − Yᵀβ‖² + γ‖β‖². Its training error is
 *   E_train = (γ²/m) E tr (A + γ)^{−2},  A = YᵀY/m (m × m),
 * = (n1/m) γ² (1/n1) tr (M + γ)^{−2} + (1 − n1/m), since A and M = YYᵀ/m share their nonzero
 * eigenvalues and A has m − n1 more zeros (each contributing 1/m; for n1 > m the count is
 * negative, M's extra zeros cancelling it, and the formula still holds). In terms of the
 * Stieltjes transform of M, (1/n1) tr (M + γ)^{−2} = −G'(−γ): a functional of the spectrum,
 * so of η and ζ alone. At fixed η, smaller ζ/η (more nonlinear f) memorises better.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { cholesky, choleskySolve } from "../numerics/cholesky.ts";
import { type C, type GramShape, gramStieltjes } from "./stieltjes.ts";
import type { GramActivation } from "./invariants.ts";
import { gram, sampleFeatures } from "./sample.ts";

/** The theory's E_train at each γ (ascending or not), n1/m = φ/ψ. */
export function trainErrorTheory(s: GramShape, gammas: readonly number[]): number[] {
  const ratio = s.phi / s.psi; // n1/m
  return gammas.map((g) => {
    // G along the negative real axis, from far out to −γ(1 ± h): off the spectrum, G is
    // real and smooth there; its derivative by a central difference (relative h = 1e-4:
    // truncation ≈ h² of G'', far under the answer's 1e-6)
    const h = 1e-4 * g;
    const start = -50 * (s.eta + 1) * (1 + 1 / s.psi) * (1 + ratio);
    // geometric steps: near 0 the quartic's argument t = 1/(zψ) changes fast
    const path = (target: number) =>
      Array.from({ length: 120 }, (_, k): C => [start * (target / start) ** (k / 119), 0]);
    const gp = gramStieltjes(s, path(-(g + h))).at(-1)![0];
    const gm = gramStieltjes(s, path(-(g - h))).at(-1)![0];
    // d/dz G at z = −γ: (G(−γ+h) − G(−γ−h)) / 2h
    const dG = (gm - gp) / (2 * h);
    return ratio * g * g * -dG + (1 - ratio);
  });
}

/**
 * Simulated E_train: fresh W, X and `targets` random target vectors, ridge regression solved
 * by Cholesky at each γ, the mean squared training residual (64 targets: the residual's
 * sampling error ≈ √(2/(m · 64)) of it, ≈ 0.9% at m = 400).
 */
export function trainErrorSimulated(
  f: GramActivation,
  n0: number,
  n1: number,
  m: number,
  gammas: readonly number[],
  rng: Rng,
  targets = 64,
): number[] {
  const y = sampleFeatures(f, { n0, n1, m, sigmaW2: 1, sigmaX2: 1 }, rng);
  const mat = gram(y, n1, m);
  const t = new Float64Array(m * targets);
  for (let i = 0; i < t.length; i++) t[i] = rng.normal();
  return gammas.map((g) => {
    const a = mat.slice();
    for (let i = 0; i < n1; i++) a[i * n1 + i] += g;
    const l = cholesky(a, n1);
    let err = 0;
    for (let k = 0; k < targets; k++) {
      // b = Y y_k / m; β = (M + γ)^{-1} b; residual y_k − Yᵀβ
      const b = new Float64Array(n1);
      for (let r = 0; r < n1; r++) {
        let s = 0;
        for (let c = 0; c < m; c++) s += y[r * m + c] * t[c * targets + k];
        b[r] = s / m;
      }
      const beta = choleskySolve(l, n1, b);
      for (let c = 0; c < m; c++) {
        let pred = 0;
        for (let r = 0; r < n1; r++) pred += y[r * m + c] * beta[r];
        err += (t[c * targets + k] - pred) ** 2;
      }
    }
    return err / (m * targets);
  });
}
