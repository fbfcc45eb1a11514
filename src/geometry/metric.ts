/**
 * Amari's statistical neurodynamics of a deep random network (Amari, Karakida & Oizumi
 * 2018; THEORY.md §1): the metric a layer pulls back onto a 2-D patch of inputs, and the
 * distances between pairs of inputs, measured on one network and predicted by src/signal.
 *
 * Pullback metric: at a point of the patch with orthonormal tangent directions t_a (scaled
 * to the sphere of radius √(N q*), so g⁰ = q* I), g^l_ab = (1/N) ∂_a h^l · ∂_b h^l. For a wide
 * network g^l ≈ χ1^l g⁰: the eigenvalues of (g⁰)⁻¹ g^l are both ≈ χ1^l (conformal).
 *
 * Their spread at finite width, derived here (not in the paper): one layer reweights the
 * tangents' components by φ'(h_i)² (in the frame where g = I, g → (1/N) Σ_i w_i y_i y_iᵀ / E w,
 * w = φ'²) and then applies a Wishart factor from W. To first order each adds to the
 * traceless part of g/mean two independent Gaussian components, of variance (κ4 − 1)/N
 * (the weights' spread, κ4 = E φ'⁴ / (E φ'²)² at q*) and 1/N (W). Over L layers they add:
 * (λ_max − λ_min)/mean = 2√(X² + Y²) with X, Y ~ N(0, L κ4/N), a Rayleigh variable of mean
 * √(2π L κ4 / N). First order in 1/N: it needs L κ4 / N small.
 *
 * Distances: D = |h¹ − h²|²/N for two inputs at q*; in units of q* it is 2(1 − c_l), c_l
 * the correlation map's iterate: all pairs go to 2(1 − c*) in the chaotic phase
 * (equidistance), to 0 in the ordered one.
 *
 * @module
 */
import { expect1 } from "../numerics/gauss_hermite.ts";
import type { Rng } from "../random/rng.ts";
import { chi1At, qStar } from "../signal/fixed_point.ts";
import { type MeanField, propagate } from "../signal/maps.ts";
import { orthonormal, setRow } from "./inputs.ts";

/**
 * `count` points of a 2-D patch of the sphere of radius √(N q) (longitude e1 round the circle,
 * latitude e2 within ±45°), with the orthonormal frame of the patch's coordinate directions
 * there, scaled by √(N q): tangent 2j and 2j+1 at point j.
 */
export function spherePatch(
  rng: Rng,
  n: number,
  q: number,
  count: number,
): { h: Float32Array; v: Float32Array; base: Int32Array } {
  const [u0, u1, u2] = orthonormal(rng, 3, n);
  const r = Math.sqrt(n * q);
  const h = new Float32Array(count * n);
  const v = new Float32Array(2 * count * n);
  const base = new Int32Array(2 * count);
  for (let j = 0; j < count; j++) {
    const e1 = (2 * Math.PI * j) / count;
    const e2 = (Math.PI / 4) * (2 * rng.uniform() - 1);
    const [c1, s1, c2, s2] = [Math.cos(e1), Math.sin(e1), Math.cos(e2), Math.sin(e2)];
    setRow(h, j, n, [u0, u1, u2], [r * c1 * c2, r * s1 * c2, r * s2]);
    // ∂/∂e1 and ∂/∂e2 of the point above, each divided by its length: orthonormal
    setRow(v, 2 * j, n, [u0, u1], [-r * s1, r * c1]);
    setRow(v, 2 * j + 1, n, [u0, u1, u2], [-r * c1 * s2, -r * s1 * s2, r * c2]);
    base[2 * j] = base[2 * j + 1] = j;
  }
  return { h, v, base };
}

export interface MetricStats {
  /** eigenvalues of (g⁰)⁻¹ g^l, each averaged over the patch's points */
  readonly eig_min: number;
  readonly eig_max: number;
  /** their mean, (λ_min + λ_max)/2, averaged */
  readonly mean: number;
  /** (λ_max − λ_min)/mean, averaged: 0 for a conformal map */
  readonly spread: number;
}

/** The metric's eigenvalues over the patch, from tangents in rows 2j, 2j+1 (`n` floats each). */
export function metricStats(v: Float32Array, n: number, q: number): MetricStats {
  const count = v.length / (2 * n);
  let lo = 0, hi = 0, spread = 0;
  for (let j = 0; j < count; j++) {
    let g11 = 0, g22 = 0, g12 = 0;
    const a = 2 * j * n, b = a + n;
    for (let i = 0; i < n; i++) {
      g11 += v[a + i] * v[a + i];
      g22 += v[b + i] * v[b + i];
      g12 += v[a + i] * v[b + i];
    }
    // g⁰ = q* I: the eigenvalues of (g⁰)⁻¹ g are those of g/(N q*)
    const s = 1 / (n * q);
    const m = ((g11 + g22) / 2) * s;
    const d = Math.hypot((g11 - g22) / 2, g12) * s;
    lo += m - d;
    hi += m + d;
    spread += (2 * d) / m;
  }
  return {
    eig_min: lo / count,
    eig_max: hi / count,
    mean: (lo + hi) / (2 * count),
    spread: spread / count,
  };
}

/** κ4 = E φ'⁴ / (E φ'²)² at q: how unevenly one layer's slopes stretch the tangent plane. */
export function slopeKurtosis(m: MeanField, q: number): number {
  // ReLU's φ' ∈ {0, 1}: E φ'⁴ = E φ'² = 1/2 exactly (quadrature at the kink is not)
  if (m.act.name === "relu") return 2;
  const s = Math.sqrt(q);
  const d2 = expect1((z) => m.act.dphi(s * z) ** 2);
  const d4 = expect1((z) => m.act.dphi(s * z) ** 4);
  return d4 / (d2 * d2);
}

/** The conformal factor χ1^l at layer l, and the mean spread at layer l and width n (module note). */
export function metricTheory(
  m: MeanField,
): { factor: (l: number) => number; spread: (l: number, n: number) => number } {
  const q = qStar(m);
  if (q === null || q <= 0) throw new RangeError("the patch needs a fixed point q* > 0");
  const chi1 = chi1At(m, q);
  const k4 = slopeKurtosis(m, q);
  return {
    factor: (l) => Math.pow(chi1, l),
    spread: (l, n) => Math.sqrt((2 * Math.PI * l * k4) / n),
  };
}

/**
 * `perDistance` pairs at each squared distance d0·q* (d0 in (0, 4]: 2(1 − c0)), as rows 2k
 * and 2k+1 of inputs on the sphere of radius √(N q), each pair in fresh random directions.
 */
export function distancePairs(
  rng: Rng,
  n: number,
  q: number,
  d0s: readonly number[],
  perDistance: number,
): Float32Array {
  const out = new Float32Array(2 * d0s.length * perDistance * n);
  const r = Math.sqrt(n * q);
  let row = 0;
  for (const d0 of d0s) {
    const c0 = 1 - d0 / 2;
    const s0 = Math.sqrt(Math.max(0, 1 - c0 * c0));
    for (let k = 0; k < perDistance; k++) {
      const [a, b] = orthonormal(rng, 2, n);
      setRow(out, row++, n, [a], [r]);
      setRow(out, row++, n, [a, b], [r * c0, r * s0]);
    }
  }
  return out;
}

/** Mean D/q* = |h¹ − h²|²/(N q*) over each d0's pairs, from the rows distancePairs laid out. */
export function pairDistances(
  h: Float32Array,
  n: number,
  q: number,
  groups: number,
  perDistance: number,
): number[] {
  const out: number[] = [];
  for (let g = 0; g < groups; g++) {
    let sum = 0;
    for (let k = 0; k < perDistance; k++) {
      const a = (2 * (g * perDistance + k)) * n, b = a + n;
      let d = 0;
      for (let i = 0; i < n; i++) d += (h[a + i] - h[b + i]) ** 2;
      sum += d / (n * q);
    }
    out.push(sum / perDistance);
  }
  return out;
}

/** The distance map's theory for each d0, layers 0…depth, in units of q*: D/q* = (q11+q22−2q12)/q*. */
export function distanceTheory(m: MeanField, d0s: readonly number[], depth: number): number[][] {
  const q = qStar(m);
  if (q === null || q <= 0) throw new RangeError("the pairs need a fixed point q* > 0");
  return d0s.map((d0) => propagate(m, q, 1 - d0 / 2, depth).map((r) => (2 * r.q * (1 - r.c)) / q));
}
