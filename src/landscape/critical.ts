/**
 * Critical points by driving the gradient to zero (Dauphin et al. 2014 §4 use
 * Newton's method, which converges to saddles as readily as to minima). A pure
 * Newton step −H⁻¹g is a descent direction for ½‖g‖² but fails where H is
 * singular, which tanh nets often are (dead or duplicated units), so each step is
 * Levenberg–Marquardt on the residual g(θ) = 0: Δ = −(H² + μI)⁻¹ H g, μ shrunk
 * after a step that lowers ‖g‖ and grown after one that does not. As μ → 0 this
 * is Newton's step, with its quadratic convergence; it never prefers minima.
 *
 * @module
 */
import { cholesky, choleskySolve } from "../numerics/cholesky.ts";
import { norm, type Objective } from "./objective.ts";

export type SearchStatus = "converged" | "stalled" | "diverged" | "max-iterations";

export interface SearchResult {
  readonly status: SearchStatus;
  readonly theta: Float64Array;
  readonly gradNorm: number;
  readonly iterations: number;
  /** the Hessian at the final θ (already computed by the last iteration) */
  readonly hessian: Float64Array;
}

export interface SearchOptions {
  /** stop when ‖∇L‖ is below this */
  readonly tol: number;
  readonly maxIterations: number;
  /** called after each iteration, so a long search can yield to the event loop */
  readonly onIteration?: (iteration: number, gradNorm: number) => void | Promise<void>;
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

export async function findCriticalPoint(
  obj: Objective,
  start: Float64Array,
  opts: SearchOptions,
): Promise<SearchResult> {
  const n = obj.n;
  let theta = start.slice();
  let g = obj.gradient(theta);
  let gn = norm(g);
  let h = obj.hessian(theta);
  let mu = NaN;
  for (let it = 0;; it++) {
    if (!Number.isFinite(gn)) {
      return { status: "diverged", theta, gradNorm: gn, iterations: it, hessian: h };
    }
    if (gn < opts.tol) {
      return { status: "converged", theta, gradNorm: gn, iterations: it, hessian: h };
    }
    if (it >= opts.maxIterations) {
      return { status: "max-iterations", theta, gradNorm: gn, iterations: it, hessian: h };
    }
    const h2 = square(h, n);
    const hg = matVec(h, n, g);
    if (Number.isNaN(mu)) {
      let tr = 0;
      for (let i = 0; i < n; i++) tr += h2[i * n + i];
      mu = Math.max(1e-3 * (tr / n), 1e-300); // start near the mean squared curvature's thousandth
    }
    let accepted = false;
    for (let attempt = 0; attempt < 40; attempt++) {
      for (let i = 0; i < n; i++) h2[i * n + i] += mu;
      let step: Float64Array | null = null;
      try {
        step = choleskySolve(cholesky(h2, n), n, hg);
      } catch {
        step = null; // not positive definite in floating point: more damping
      }
      for (let i = 0; i < n; i++) h2[i * n + i] -= mu;
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
      return { status: "stalled", theta, gradNorm: gn, iterations: it + 1, hessian: h };
    }
    h = obj.hessian(theta);
    await opts.onIteration?.(it + 1, gn);
  }
}
