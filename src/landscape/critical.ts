/**
 * Critical points by driving the gradient to zero (Dauphin et al. 2014 §4 use
 * Newton's method, which converges to saddles as readily as to minima). A pure
 * Newton step −H⁻¹g is a descent direction for ½‖g‖² but fails where H is
 * singular, which tanh nets often are (dead or duplicated units), so each step is
 * Levenberg–Marquardt on the residual g(θ) = 0: Δ = −(H² + μI)⁻¹ H g, μ shrunk
 * after a step that lowers ‖g‖ and grown after one that does not. As μ → 0 this
 * is Newton's step, with its quadratic convergence; it never prefers minima.
 *
 * Two ways to solve for the step: dense (H formed, a Cholesky of H² + μI; exact,
 * O(n³)) and Krylov (k Lanczos steps on Hessian-vector products from g, and the
 * same system restricted to K_k(H, g), solved in k dimensions; O(k n) memory, for
 * nets too large to form H). With k = n the two agree.
 *
 * @module
 */
import { cholesky, choleskySolve } from "../numerics/cholesky.ts";
import { lanczos } from "./newton.ts";
import { norm, type Objective } from "./objective.ts";

export type SearchStatus = "converged" | "stalled" | "diverged" | "max-iterations";

export interface SearchResult {
  readonly status: SearchStatus;
  readonly theta: Float64Array;
  readonly gradNorm: number;
  readonly iterations: number;
}

export interface SearchOptions {
  /** stop when ‖∇L‖ is below this */
  readonly tol: number;
  readonly maxIterations: number;
  /** Lanczos steps per iteration; absent: the dense solve */
  readonly krylov?: number;
  /** called after each iteration, so a long search can yield to the event loop */
  readonly onIteration?: (iteration: number, gradNorm: number) => void | Promise<void>;
}

/** The step (H² + μI)⁻¹ H g at one θ, for any μ; null where the solve fails. */
interface LmSystem {
  /** mean squared curvature, to start μ at */
  readonly meanSquare: number;
  solve(mu: number): Float64Array | null;
}

/** M² for symmetric M (row-major): (M²)_ij = row_i · row_j. */
function square(h: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += h[i * n + k] * h[j * n + k];
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

function matVec(h: Float64Array, n: number, x: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += h[i * n + k] * x[k];
    out[i] = s;
  }
  return out;
}

function denseSystem(obj: Objective, theta: Float64Array, g: Float64Array): LmSystem {
  const n = obj.n;
  const h = obj.hessian(theta);
  const h2 = square(h, n);
  const hg = matVec(h, n, g);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += h2[i * n + i];
  return {
    meanSquare: tr / n,
    solve(mu) {
      for (let i = 0; i < n; i++) h2[i * n + i] += mu;
      try {
        return choleskySolve(cholesky(h2, n), n, hg);
      } catch {
        return null; // not positive definite in floating point: more damping
      } finally {
        for (let i = 0; i < n; i++) h2[i * n + i] -= mu;
      }
    },
  };
}

/**
 * LM restricted to the Krylov space V = K_k(H, g): minimise ‖H V y − g‖² + μ‖y‖².
 * Lanczos gives H V = V_{k+1} T̄ with T̄ = [T; β_{k+1} e_kᵀ], so with g = ‖g‖ v₁
 * the normal equations are (T̄ᵀT̄ + μI) y = ‖g‖ T e₁ and T̄ᵀT̄ = T² + β²_{k+1} e_k e_kᵀ
 * is Vᵀ H² V exactly (the minimum-residual step of Newton-MR, Roosta et al. 2018).
 * Dropping β_{k+1} (Ritz values alone) would misjudge H² on the directions the
 * short space has not resolved, and the search then barely converges.
 */
function krylovSystem(obj: Objective, theta: Float64Array, g: Float64Array, k: number): LmSystem {
  const kry = lanczos(obj, theta, g, k);
  const m = kry.basis.length;
  const { t } = kry;
  const normal = new Float64Array(m * m); // T̄ᵀT̄
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = Math.max(0, i - 1); l <= Math.min(m - 1, i + 1); l++) {
        s += t[l * m + i] * t[l * m + j];
      }
      normal[i * m + j] = s;
    }
  }
  normal[m * m - 1] += kry.residual * kry.residual;
  const gn = norm(g);
  const rhs = new Float64Array(m);
  for (let i = 0; i < m; i++) rhs[i] = gn * t[i * m];
  let tr = 0;
  for (let i = 0; i < m; i++) tr += normal[i * m + i];
  return {
    meanSquare: tr / m,
    solve(mu) {
      for (let i = 0; i < m; i++) normal[i * m + i] += mu;
      let y: Float64Array;
      try {
        y = choleskySolve(cholesky(normal, m), m, rhs);
      } catch {
        return null;
      } finally {
        for (let i = 0; i < m; i++) normal[i * m + i] -= mu;
      }
      const step = new Float64Array(g.length);
      for (let i = 0; i < m; i++) {
        const b = kry.basis[i];
        for (let j = 0; j < step.length; j++) step[j] += y[i] * b[j];
      }
      return step;
    },
  };
}

export async function findCriticalPoint(
  obj: Objective,
  start: Float64Array,
  opts: SearchOptions,
): Promise<SearchResult> {
  const n = obj.n;
  let theta = start.slice();
  let g = obj.gradient(theta);
  let gn = norm(g);
  let mu = NaN;
  for (let it = 0;; it++) {
    if (!Number.isFinite(gn)) return { status: "diverged", theta, gradNorm: gn, iterations: it };
    if (gn < opts.tol) return { status: "converged", theta, gradNorm: gn, iterations: it };
    if (it >= opts.maxIterations) {
      return { status: "max-iterations", theta, gradNorm: gn, iterations: it };
    }
    const system = opts.krylov === undefined
      ? denseSystem(obj, theta, g)
      : krylovSystem(obj, theta, g, opts.krylov);
    // start near the mean squared curvature's thousandth
    if (Number.isNaN(mu)) mu = Math.max(1e-3 * system.meanSquare, 1e-300);
    let accepted = false;
    for (let attempt = 0; attempt < 40; attempt++) {
      const step = system.solve(mu);
      if (step) {
        const next = new Float64Array(n);
        for (let i = 0; i < n; i++) next[i] = theta[i] - step[i];
        const gNext = obj.gradient(next);
        const gnNext = norm(gNext);
        if (gnNext < gn) {
          theta = next;
          g = gNext;
          gn = gnNext;
          mu = Math.max(mu / 10, 1e-300); // fast: near a solution the step should become Newton's
          accepted = true;
          break;
        }
      }
      mu *= 4;
      if (!Number.isFinite(mu)) break;
    }
    if (!accepted) {
      // a minimum of ‖g‖² that is not a critical point: no damping helps
      return { status: "stalled", theta, gradNorm: gn, iterations: it + 1 };
    }
    await opts.onIteration?.(it + 1, gn);
  }
}
