/**
 * Damped Newton and saddle-free Newton in a Krylov subspace (Dauphin et al.
 * 2014 §6 and Algorithm 1): k Lanczos steps on Hessian-vector products from the
 * gradient give an orthonormal basis V and H's restriction T = Vᵀ H V; with
 * T = Y Λ Yᵀ the step is
 *
 *   saddle-free:  Δθ = −V Y (|Λ| + δ)⁻¹ Yᵀ Vᵀ g    (repelled by saddles)
 *   Newton:       Δθ = −V Y (Λ + δ)⁻¹ Yᵀ Vᵀ g      (attracted to them)
 *
 * and the damping δ is picked, as in the paper, by trying several and keeping
 * the lowest loss. With k = n the subspace is the whole space and the steps are
 * the exact ones.
 *
 * @module
 */
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { dot, norm, type Objective } from "./objective.ts";

export type NewtonKind = "newton" | "saddle-free";

/** Relative dampings tried each step (× the largest |eigenvalue| of T). */
export const DAMPINGS = [1e-4, 1e-3, 1e-2, 1e-1, 1] as const;

export interface Krylov {
  /** k orthonormal vectors of length n, V[i] */
  readonly basis: Float64Array[];
  /** T = Vᵀ H V, k × k row-major (tridiagonal) */
  readonly t: Float64Array;
  /** β_{k+1} = ‖H v_k − (its part in V)‖: H V = V T + β_{k+1} v_{k+1} e_kᵀ (0 when V is invariant) */
  readonly residual: number;
  /** T's eigenvalues (ascending) and eigenvectors (rows) */
  readonly values: Float64Array;
  readonly vectors: Float64Array;
}

/**
 * Lanczos with full re-orthogonalisation (k is small, and without it the
 * basis loses orthogonality once a Ritz value converges). Stops early on an
 * invariant subspace.
 */
export function lanczos(
  obj: Objective,
  theta: Float64Array,
  start: Float64Array,
  k: number,
): Krylov {
  const n = obj.n;
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q: Float64Array = start.slice();
  let qn = norm(q);
  if (!(qn > 0)) throw new RangeError("lanczos: zero start vector");
  for (let i = 0; i < n; i++) q[i] /= qn;
  for (let j = 0; j < Math.min(k, n); j++) {
    basis.push(q);
    const w = obj.hvp(theta, q);
    alpha.push(dot(w, q));
    // w ⟂ every basis vector (twice: classical Gram–Schmidt loses orthogonality once)
    for (let pass = 0; pass < 2; pass++) {
      for (const b of basis) {
        const c = dot(w, b);
        for (let i = 0; i < n; i++) w[i] -= c * b[i];
      }
    }
    qn = norm(w);
    if (j + 1 >= Math.min(k, n) || qn <= 1e-12 * Math.abs(alpha[j])) break;
    beta.push(qn);
    q = w;
    for (let i = 0; i < n; i++) q[i] /= qn;
  }
  const m = basis.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = alpha[i];
    if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t.slice(), m, true);
  return { basis, t, residual: qn, values, vectors: vectors! };
}

/** The step −V Y f(Λ)⁻¹ Yᵀ Vᵀ g for one damping; null if some denominator vanishes. */
export function krylovStep(
  kry: Krylov,
  g: Float64Array,
  kind: NewtonKind,
  damping: number,
): Float64Array | null {
  const m = kry.basis.length;
  const n = g.length;
  const coef = new Float64Array(m); // Vᵀ g
  for (let i = 0; i < m; i++) coef[i] = dot(kry.basis[i], g);
  const inner = new Float64Array(m);
  for (let a = 0; a < m; a++) {
    const lam = kry.values[a];
    const denom = (kind === "saddle-free" ? Math.abs(lam) : lam) + damping;
    if (Math.abs(denom) < 1e-300) return null;
    let ya = 0;
    for (let i = 0; i < m; i++) ya += kry.vectors[a * m + i] * coef[i];
    for (let i = 0; i < m; i++) inner[i] += (kry.vectors[a * m + i] * ya) / denom;
  }
  const step = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const c = inner[i];
    const b = kry.basis[i];
    for (let j = 0; j < n; j++) step[j] -= c * b[j];
  }
  return step;
}

export interface NewtonStep {
  readonly theta: Float64Array;
  readonly loss: number;
  readonly damping: number;
}

/**
 * One (saddle-free) Newton step from θ: every damping in DAMPINGS (relative to
 * T's largest |λ|) is tried and the lowest loss kept — the current point
 * included, so a step never raises the loss.
 */
export function newtonStep(
  obj: Objective,
  theta: Float64Array,
  kind: NewtonKind,
  krylovDim: number,
): NewtonStep {
  const g = obj.gradient(theta);
  const here = obj.loss(theta);
  if (!(norm(g) > 0)) return { theta, loss: here, damping: NaN };
  const kry = lanczos(obj, theta, g, krylovDim);
  const scale = Math.max(...kry.values.map(Math.abs));
  let best: NewtonStep = { theta, loss: here, damping: NaN };
  for (const rel of DAMPINGS) {
    const step = krylovStep(kry, g, kind, rel * scale);
    if (!step) continue;
    const next = new Float64Array(theta.length);
    for (let i = 0; i < next.length; i++) next[i] = theta[i] + step[i];
    const loss = obj.loss(next);
    if (Number.isFinite(loss) && loss < best.loss) {
      best = { theta: next, loss, damping: rel * scale };
    }
  }
  return best;
}
