/**
 * Transient chaos of a curve (Poole et al. 2016, §4; THEORY.md §1): the length, the
 * extrinsic curvature and the Grassmannian length of a great circle's image, measured on a
 * network's exact derivatives and predicted by the mean-field recursions of src/signal.
 *
 * Normalisations (so a width-N network and the theory share units): the length is
 * L/√N = (1/√N) ∮ |∂θh| dθ, 2π√q* at the input; the curvature is κ̄ = √(N q*) κ, 1 on the
 * input circle (κ = 1/radius); the Grassmannian length ∮ κ |∂θh| dθ, the total turning of
 * the tangent direction, 2π on the input circle.
 *
 * @module
 */
import { chi1At, chi2At, qStar } from "../signal/fixed_point.ts";
import type { MeanField } from "../signal/maps.ts";

export interface CurveRow {
  readonly layer: number;
  readonly length: number;
  readonly curvature: number;
  readonly grassmannian_length: number;
}

/**
 * One layer's measurements from the derivatives v = ∂θh, a = ∂²θh at `points` equally
 * spaced θ (rows of `n` floats). κ = √(|v|²|a|² − (v·a)²)/|v|³ at each θ; the integrals
 * over the periodic θ are trapezoid sums (spectrally accurate for a smooth periodic curve).
 */
export function curveStats(
  layer: number,
  v: Float32Array,
  a: Float32Array,
  n: number,
  q: number,
): CurveRow {
  const points = v.length / n;
  let speed = 0, kappa = 0, turning = 0;
  for (let p = 0; p < points; p++) {
    let vv = 0, aa = 0, va = 0;
    for (let i = p * n, end = i + n; i < end; i++) {
      vv += v[i] * v[i];
      aa += a[i] * a[i];
      va += v[i] * a[i];
    }
    const s = Math.sqrt(vv);
    const k = Math.sqrt(Math.max(0, vv * aa - va * va)) / (vv * s);
    speed += s;
    kappa += k;
    turning += k * s;
  }
  const dTheta = (2 * Math.PI) / points;
  return {
    layer,
    length: (speed * dTheta) / Math.sqrt(n),
    curvature: (kappa / points) * Math.sqrt(n * q),
    grassmannian_length: turning * dTheta,
  };
}

/**
 * The mean-field prediction for layers 0…depth, the input at q*: |∂θh|² grows by χ1 a
 * layer, so the length by √χ1; the normalised curvature obeys
 *
 *   κ̄_l² = 3 q* χ2 / χ1² + κ̄_{l−1}² / χ1,   κ̄_0 = 1,
 *
 * with χ2 = σw² E φ''(√q* z)² (src/signal). THEORY.md §1 writes the source term as 3χ2/χ1²:
 * that is Poole et al.'s χ2, which carries the factor q* (one layer adds to |a|² the term
 * σw² Σ φ''(h_i)² v_i⁴ = 3χ2|v|⁴/N, and κ̄ is scaled by √(N q*)); the simulation agrees
 * with q* in and not without it (tests/geometry_test.ts). In the chaotic phase κ̄ settles at
 * √(3 q* χ2 / (χ1(χ1 − 1))) and the Grassmannian length 2π κ̄_l χ1^{l/2} grows exponentially.
 */
export function curveTheory(m: MeanField, depth: number): CurveRow[] {
  const q = qStar(m);
  if (q === null || q <= 0) {
    throw new RangeError("the great circle needs a fixed point q* > 0 to start on");
  }
  const chi1 = chi1At(m, q);
  const source = (3 * q * chi2At(m, q)) / (chi1 * chi1);
  const rows: CurveRow[] = [];
  let k2 = 1;
  for (let l = 0; l <= depth; l++) {
    if (l > 0) k2 = source + k2 / chi1;
    const stretch = Math.pow(chi1, l / 2);
    rows.push({
      layer: l,
      length: 2 * Math.PI * Math.sqrt(q) * stretch,
      curvature: Math.sqrt(k2),
      grassmannian_length: 2 * Math.PI * Math.sqrt(k2) * stretch,
    });
  }
  return rows;
}

/** κ̄*, where the normalised curvature settles in the chaotic phase; null where it grows (χ1 ≤ 1). */
export function curvatureFixedPoint(m: MeanField): number | null {
  const q = qStar(m);
  if (q === null || q <= 0) return null;
  const chi1 = chi1At(m, q);
  return chi1 > 1 ? Math.sqrt((3 * q * chi2At(m, q)) / (chi1 * (chi1 - 1))) : null;
}
