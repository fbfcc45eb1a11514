/**
 * Fixed points and depth scales of the mean-field maps (Poole et al. 2016;
 * Schoenholz et al. 2017, Eqs. 4–9; THEORY.md §1).
 *
 * q* solves q = σw² E φ(√q z)² + σb²; χ1 = σw² E φ'(√q* z)². With c* the stable
 * fixed point of the correlation map at q* (c* = 1 when χ1 ≤ 1):
 *   ξ_q = −1/ln(dq'/dq at q*),   ξ_c = −1/ln χ_c,   χ_c = dc'/dc at c*.
 * JSON has no Infinity: a depth scale that diverges (slope exactly 1, on the
 * critical line) is null. For ReLU and linear φ with χ1 ≥ 1 the length grows
 * without bound; there is no q*, and phase is "unbounded".
 *
 * @module
 */
import { brent } from "../numerics/brent.ts";
import { expect1 } from "../numerics/gauss_hermite.ts";
import { lengthMap, lengthMapSlope, type MeanField, slopeMeanSquare } from "./maps.ts";
import { mehlerCoefficients, mehlerSeries } from "./mehler.ts";

export type Phase = "ordered" | "chaotic" | "unbounded";

export interface FixedPoint {
  q_star: number | null;
  c_star: number | null;
  chi1: number;
  chi_c: number | null;
  xi_q: number | null;
  xi_c: number | null;
  phase: Phase;
}

/** How close to 1 a per-layer slope must be to count as the critical line (ξ = ∞ → null). */
const CRITICAL_EPS = 1e-12;

/** −1/ln s, or null where s is 1 to rounding (the scale diverges). */
export function depthScale(slope: number): number | null {
  if (!(slope > 0)) return 0; // the map is flat: any perturbation dies in one layer
  const l = Math.log(slope);
  return Math.abs(l) < CRITICAL_EPS ? null : -1 / l;
}

/**
 * χ1 = σw² E φ'(√q z)² at q = q*. Where q* is unbounded (ReLU, linear) φ' is
 * scale-free, so any q gives the same value: 1 stands in.
 */
export function chi1At(m: MeanField, q: number | null): number {
  return m.sigma_w2 * slopeMeanSquare(m.act, q ?? 1);
}

/**
 * χ2 = σw² E φ''(√q z)² at q = q* (THEORY.md §1; Poole et al. 2016, Eq. 10): how strongly
 * one layer bends a curve, the source term of the curvature recursion (src/geometry/curve.ts).
 * Zero for linear φ; ReLU's φ'' is a delta at the kink, so there is no finite value.
 */
export function chi2At(m: MeanField, q: number): number {
  if (m.act.name === "relu" || m.act.name === "hard-tanh") {
    throw new RangeError(`χ2 is undefined for ${m.act.name}: φ'' is a delta at its kink`);
  }
  if (m.act.name === "linear") return 0;
  const s = Math.sqrt(q);
  return m.sigma_w2 * expect1((z) => m.act.d2phi(s * z) ** 2);
}

/** The fixed point q* of the length map; null where q grows without bound. */
export function qStar(m: MeanField): number | null {
  const { act, sigma_w2: w, sigma_b2: b } = m;
  if (!act.bounded) {
    // ReLU: q' = σw² q/2 + σb²; linear: q' = σw² q + σb². Both are affine in q.
    const slope = act.name === "relu" ? w / 2 : w;
    return slope < 1 ? b / (1 - slope) : null;
  }
  const F = (q: number) => lengthMap(m, q) - q;
  // Bounded φ (sup φ² ≤ 1 for tanh and erf): the map is below σw² + σb², so F < 0 there.
  const hi = w + b + 1;
  if (b > 0) return brent(F, 0, hi);
  // σb² = 0 and φ(0) = 0: q = 0 is a fixed point; a positive one exists only
  // when it is unstable (σw² φ'(0)² > 1).
  if (w * act.dphi(0) ** 2 <= 1) return 0;
  let lo = 1e-6;
  while (F(lo) <= 0 && lo > 1e-300) lo /= 16;
  return lo > 1e-300 ? brent(F, lo, hi) : 0;
}

/**
 * The correlation map at q11 = q22 = q*, as a function of c, with its slope:
 * closed form where φ has one, the Mehler series otherwise.
 */
export function correlationMap(
  m: MeanField,
  q: number,
): (c: number) => { value: number; slope: number } {
  const { act, sigma_w2: w, sigma_b2: b } = m;
  if (act.pair && act.pairSlope) {
    const pair = act.pair;
    const pairSlope = act.pairSlope;
    return (c) => ({
      value: (w * pair(q, q, c * q) + b) / q,
      slope: w * pairSlope(q, q, c * q),
    });
  }
  const s = Math.sqrt(q);
  const b2 = mehlerCoefficients((z) => act.phi(s * z));
  return (c) => {
    const r = mehlerSeries(b2, c);
    // d/dc E g(z1)g(z2) = q E φ'(u1)φ'(u2) (Price), so the slope is σw² r.slope / q.
    return { value: (w * r.value + b) / q, slope: (w * r.slope) / q };
  };
}

/**
 * The attracting correlation c* < 1 of the chaotic phase. On [0, 1] the map
 * f has non-negative Taylor coefficients (Mehler), so f(c) − c is convex with
 * f(0) − 0 ≥ 0, a zero at c = 1 and slope χ1 − 1 > 0 there: one more root in
 * [0, 1), where f(c) − c turns negative.
 */
export function cStarChaotic(f: (c: number) => { value: number; slope: number }): number {
  const h = (c: number) => f(c).value - c;
  if (h(0) <= 0) return 0;
  let delta = 1e-2;
  while (h(1 - delta) >= 0 && delta > 1e-15) delta /= 10;
  return brent(h, 0, 1 - delta, 1e-15);
}

/** q*, c*, χ1, χ_c, ξ_q, ξ_c and the phase at (φ, σw², σb²). */
export function fixedPoint(m: MeanField): FixedPoint {
  const q = qStar(m);
  if (q === null) {
    const chi1 = chi1At(m, null);
    return {
      q_star: null,
      c_star: null,
      chi1,
      chi_c: null,
      xi_q: null,
      xi_c: null,
      phase: "unbounded",
    };
  }
  const chi1 = chi1At(m, q);
  const xi_q = depthScale(lengthMapSlope(m, q));
  if (chi1 <= 1 || q === 0) {
    return {
      q_star: q,
      c_star: 1,
      chi1,
      chi_c: chi1,
      xi_q,
      xi_c: depthScale(chi1),
      phase: "ordered",
    };
  }
  const f = correlationMap(m, q);
  const c = cStarChaotic(f);
  const chi_c = f(c).slope;
  return { q_star: q, c_star: c, chi1, chi_c, xi_q, xi_c: depthScale(chi_c), phase: "chaotic" };
}
