/**
 * Inputs on the sphere of radius √(N q) where the geometry experiments start (THEORY.md §1):
 * a great circle, a 2-D patch, pairs at a given correlation, all built from random
 * orthonormal directions so every input has |h⁰|²/N = q exactly.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { ParamError } from "../params/schema.ts";
import { qStar } from "../signal/fixed_point.ts";
import type { MeanField } from "../signal/maps.ts";

/**
 * q*, the length the geometry experiments put their inputs at, or a ParamError naming the
 * param that leaves none: ReLU and linear nets with χ1 ≥ 1 grow without bound, and at σb² = 0
 * an ordered net shrinks every input to 0.
 */
export function startingLength(m: MeanField): number {
  const q = qStar(m);
  if (q === null) {
    throw new ParamError(
      "sigma_w2",
      `${m.act.name} at σw² = ${m.sigma_w2} has no fixed length q* (it grows without bound): use sigma_w2 < ${
        m.act.name === "relu" ? 2 : 1
      }`,
    );
  }
  if (q <= 0) {
    throw new ParamError(
      "sigma_b2",
      "at σb² = 0 in the ordered phase every input shrinks to 0 (q* = 0), leaving nothing to follow: use sigma_b2 > 0",
    );
  }
  return q;
}

/** k random orthonormal vectors of length n (Gram–Schmidt on Gaussians, twice for float64 safety). */
export function orthonormal(rng: Rng, k: number, n: number): Float64Array[] {
  if (k > n) throw new RangeError(`${k} orthonormal vectors do not fit in ${n} dimensions`);
  const out: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const u = new Float64Array(n);
    rng.fillNormal(u);
    for (let pass = 0; pass < 2; pass++) {
      for (const e of out) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i] * e[i];
        for (let i = 0; i < n; i++) u[i] -= d * e[i];
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += u[i] * u[i];
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) u[i] /= s;
    out.push(u);
  }
  return out;
}

/** out[row·n + i] = Σ_j coef[j] · dirs[j][i]: one input row as a combination of directions. */
export function setRow(
  out: Float32Array,
  row: number,
  n: number,
  dirs: readonly Float64Array[],
  coef: readonly number[],
): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < coef.length; j++) s += coef[j] * dirs[j][i];
    out[row * n + i] = s;
  }
}

/**
 * The great circle h⁰(θ) = √(N q)(u₀ cos θ + u₁ sin θ) at `points` equally spaced θ, with
 * its exact derivatives v = ∂θh⁰ and a = ∂²θh⁰ = −h⁰ (Poole et al. 2016, §4).
 */
export function greatCircle(
  rng: Rng,
  n: number,
  q: number,
  points: number,
): { h: Float32Array; v: Float32Array; a: Float32Array } {
  const [u0, u1] = orthonormal(rng, 2, n);
  const r = Math.sqrt(n * q);
  const h = new Float32Array(points * n);
  const v = new Float32Array(points * n);
  const a = new Float32Array(points * n);
  for (let p = 0; p < points; p++) {
    const t = (2 * Math.PI * p) / points;
    const c = r * Math.cos(t), s = r * Math.sin(t);
    setRow(h, p, n, [u0, u1], [c, s]);
    setRow(v, p, n, [u0, u1], [-s, c]);
    setRow(a, p, n, [u0, u1], [-c, -s]);
  }
  return { h, v, a };
}
