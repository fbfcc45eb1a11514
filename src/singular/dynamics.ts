/**
 * Learning dynamics of the two-unit perceptron on its exact loss (src/singular/two_unit.ts;
 * Amari 1998; Amari, Park & Fukumizu 2000; Amari, Park & Ozeki 2006), as Euler steps of
 * size η in "natural time" t = η · step:
 *
 *   gd:           θ̇ = −∇ε
 *   ngd:          θ̇ = −(G + λI)⁻¹ ∇ε            (λ: damping, for G singular on the overlap set)
 *   adaptive-ngd: θ̇ = −(Ĝ + λI)⁻¹ ∇ε, Ĝ a running average of ∇f∇fᵀ over random inputs
 *   adam:         Adam on ∇ε, as practitioners would use it
 *
 * and Amari's coordinates of a point: v = v1 + v2, z = (v1 − v2)/(v1 + v2), u = J2 − J1,
 * w = (v1 J1 + v2 J2)/v. The overlap set is u = 0.
 *
 * @module
 */
import { cholesky, choleskySolve } from "../numerics/cholesky.ts";
import { Adam } from "../optim/adam.ts";
import { erf } from "../numerics/erf.ts";
import type { Rng } from "../random/rng.ts";
import { errorGradient, fisher, type Teacher, units } from "./two_unit.ts";

export const METHODS = ["gd", "ngd", "adaptive-ngd", "adam"] as const;
export type Method = typeof METHODS[number];

export interface Coordinates {
  readonly v: number;
  readonly z: number;
  readonly u_norm: number;
}

/** Amari's v, z and |u| of θ. */
export function amariCoordinates(theta: Float64Array, n: number): Coordinates {
  const { v, J } = units(theta, n);
  let u = 0;
  for (let c = 0; c < n; c++) u += (J[1][c] - J[0][c]) ** 2;
  const sum = v[0] + v[1];
  return { v: sum, z: (v[0] - v[1]) / sum, u_norm: Math.sqrt(u) };
}

/** θ from Amari's coordinates: v1 = v(1 + z)/2, v2 = v(1 − z)/2, J1 = w − (v2/v)u, J2 = w + (v1/v)u. */
export function fromAmari(
  v: number,
  z: number,
  w: ArrayLike<number>,
  u: ArrayLike<number>,
): Float64Array {
  const n = w.length;
  const v1 = (v * (1 + z)) / 2, v2 = (v * (1 - z)) / 2;
  const theta = new Float64Array(2 + 2 * n);
  theta[0] = v1;
  theta[1] = v2;
  for (let c = 0; c < n; c++) {
    theta[2 + c] = w[c] - (v2 / v) * u[c];
    theta[2 + n + c] = w[c] + (v1 / v) * u[c];
  }
  return theta;
}

export interface StepOptions {
  readonly eta: number;
  readonly damping: number;
}

/** A stepper for one method from θ0 (copied); `step()` advances θ by one Euler step. */
export function stepper(
  method: Method,
  theta0: Float64Array,
  teacher: Teacher,
  n: number,
  o: StepOptions,
  rng?: Rng,
): { theta: Float64Array; step(): void } {
  const theta = theta0.slice();
  const p = theta.length;
  if (method === "gd") {
    return {
      theta,
      step() {
        const g = errorGradient(theta, teacher, n);
        for (let i = 0; i < p; i++) theta[i] -= o.eta * g[i];
      },
    };
  }
  if (method === "ngd") {
    return {
      theta,
      step() {
        const g = errorGradient(theta, teacher, n);
        const G = fisher(theta, n);
        for (let i = 0; i < p; i++) G[i * p + i] += o.damping;
        const d = choleskySolve(cholesky(G, p), p, g);
        for (let i = 0; i < p; i++) theta[i] -= o.eta * d[i];
      },
    };
  }
  if (method === "adam") {
    const adam = new Adam(p, o.eta);
    return {
      theta,
      step() {
        adam.step(theta, errorGradient(theta, teacher, n));
      },
    };
  }
  // adaptive natural gradient (Amari, Park & Fukumizu 2000): G estimated online from one
  // fresh input a step, Ĝ ← (1 − c)Ĝ + c ∇f∇fᵀ, and the step (Ĝ + λI)⁻¹∇ε. Their rule
  // updates Ĝ⁻¹ directly, Ĝ⁻¹ ← (1 + c)Ĝ⁻¹ − c(Ĝ⁻¹∇f)(Ĝ⁻¹∇f)ᵀ, which is this to first order
  // in c; with p ≤ 22 parameters, inverting the damped running average outright costs
  // nothing and cannot lose positive definiteness (the first-order rule did in our runs).
  // Ĝ starts at the exact G of the start (the estimate then only has to follow it).
  if (!rng) throw new RangeError("adaptive-ngd draws inputs: it needs an Rng");
  const est = fisher(theta, n);
  const x = new Float64Array(n);
  const df = new Float64Array(p);
  const c = ADAPTIVE_RATE;
  return {
    theta,
    step() {
      rng.fillNormal(x);
      const { v, J } = units(theta, n);
      for (let i = 0; i < 2; i++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += J[i][k] * x[k];
        df[i] = erf(s / Math.SQRT2);
        const d = Math.sqrt(2 / Math.PI) * Math.exp(-s * s / 2);
        for (let k = 0; k < n; k++) df[2 + i * n + k] = v[i] * d * x[k];
      }
      for (let r = 0; r < p; r++) {
        for (let k = 0; k < p; k++) est[r * p + k] = (1 - c) * est[r * p + k] + c * df[r] * df[k];
      }
      const damped = est.slice();
      for (let i = 0; i < p; i++) damped[i * p + i] += o.damping;
      const d = choleskySolve(cholesky(damped, p), p, errorGradient(theta, teacher, n));
      for (let r = 0; r < p; r++) theta[r] -= o.eta * d[r];
    },
  };
}

/** c of the adaptive natural gradient's running average of ∇f∇fᵀ. */
export const ADAPTIVE_RATE = 0.01;

/**
 * The critical point of the overlap set that plain gradient descent reaches from a symmetric
 * start (v1 = v2, J1 = J2 stay equal under it): the best single unit (v*, J*), as θ with
 * v1 = v2 = half of v* and J1 = J2 = J*. Every θ with J1 = J2 = J* and v1 + v2 = v* is then a
 * critical point too: Amari's line of critical points, z free.
 */
export function overlapCriticalPoint(
  teacher: Teacher,
  n: number,
  start: { v: number; J: ArrayLike<number> },
  eta = 0.5,
  tol = 1e-13,
): Float64Array {
  const theta = fromAmari(start.v, 0, start.J, new Float64Array(n));
  for (let k = 0; k < 200_000; k++) {
    const g = errorGradient(theta, teacher, n);
    let norm = 0;
    for (const x of g) norm += x * x;
    if (Math.sqrt(norm) < tol) break;
    for (let i = 0; i < theta.length; i++) theta[i] -= eta * g[i];
  }
  return theta;
}
