/**
 * Pennington & Bahri (ICML 2017, §3–4): at a critical point of energy ε the
 * Hessian is modelled as H = H0 + H1, H0 the Gauss–Newton part JJᵀ/m, a Wishart
 * matrix (Marchenko–Pastur, ratio φ = parameters / (examples · outputs), mean
 * eigenvalue 1), and H1 = Σ residual · ∇²f, a Wigner matrix whose variance grows
 * with the residuals: a semicircle of variance σ² = 2ε. Free addition sums the
 * R-transforms, R(z) = 1/(1 − φz) + 2εz, so the Stieltjes transform G (with
 * z = R(G) + 1/G) solves the cubic
 *
 *   2εφ G³ − (2ε + zφ) G² + (z − 1 + φ) G − 1 = 0,
 *
 * and the density is ρ(λ) = |Im G(λ)|/π where the cubic has complex roots. The
 * index is α(ε) = ∫_{−∞}^0 ρ. The spectrum stays positive up to
 *
 *   ε_c(φ) = (1 − 20φ − 8φ² + (1 + 8φ)^{3/2}) / 16        (0 for φ ≥ 1),
 *
 * above which α ∝ (ε − ε_c)^{3/2}. (The paper's normalisation: ε is the loss
 * per example and output, ½ for the zero net on unit-variance targets; the
 * closed form is checked against the cubic's lower spectral edge in tests.)
 *
 * @module
 */

/** The critical energy below which the model's Hessian has no negative eigenvalue. */
export function criticalEnergy(phi: number): number {
  if (phi >= 1) return 0;
  return (1 - 20 * phi - 8 * phi * phi + (1 + 8 * phi) ** 1.5) / 16;
}

/** Coefficients [a, b, c, d] of a G³ + b G² + c G + d at z = λ. */
function cubic(lambda: number, phi: number, eps: number): [number, number, number, number] {
  return [2 * eps * phi, -(2 * eps + lambda * phi), lambda - 1 + phi, -1];
}

/**
 * |Im| of the complex pair of roots of a x³ + b x² + c x + d, or 0 when all
 * three are real (λ outside the support). Cardano for the real root, polished
 * by Newton, then the quadratic left after deflating it.
 */
export function complexPairImag(a: number, b: number, c: number, d: number): number {
  if (a === 0) {
    // quadratic b x² + c x + d (ε = 0: pure Marchenko–Pastur)
    const disc = c * c - 4 * b * d;
    return disc < 0 ? Math.sqrt(-disc) / (2 * Math.abs(b)) : 0;
  }
  const disc = 18 * a * b * c * d - 4 * b ** 3 * d + b * b * c * c - 4 * a * c ** 3 -
    27 * a * a * d * d;
  if (disc >= 0) return 0;
  const p = (3 * a * c - b * b) / (3 * a * a);
  const q = (2 * b ** 3 - 9 * a * b * c + 27 * a * a * d) / (27 * a ** 3);
  const s = Math.sqrt(Math.max(0, (q * q) / 4 + (p ** 3) / 27));
  let x = Math.cbrt(-q / 2 + s) + Math.cbrt(-q / 2 - s) - b / (3 * a);
  for (let i = 0; i < 3; i++) {
    const f = ((a * x + b) * x + c) * x + d;
    const df = (3 * a * x + 2 * b) * x + c;
    if (df === 0) break;
    x -= f / df;
  }
  // a x² + (b + a x_r) x + (c + (b + a x_r) x_r) after dividing out (x − x_r)
  const b1 = b + a * x;
  const c1 = c + b1 * x;
  const d2 = b1 * b1 - 4 * a * c1;
  return d2 < 0 ? Math.sqrt(-d2) / (2 * Math.abs(a)) : 0;
}

/** The model's spectral density at λ. */
export function density(lambda: number, phi: number, eps: number): number {
  return complexPairImag(...cubic(lambda, phi, eps)) / Math.PI;
}

/** ∫ρ over [lo, hi] by composite Simpson on `panels` panels (the edges are square-root, so this is O(h^{3/2})). */
export function integrateDensity(
  lo: number,
  hi: number,
  phi: number,
  eps: number,
  panels = 4000,
): number {
  const h = (hi - lo) / panels;
  let s = density(lo, phi, eps) + density(hi, phi, eps);
  for (let i = 1; i < panels; i++) s += (i % 2 ? 4 : 2) * density(lo + i * h, phi, eps);
  return (s * h) / 3;
}

/**
 * α(ε): the fraction of negative eigenvalues. The sum's spectrum lies above
 * λmin(H0) + λmin(H1) ≥ −2σ = −2√(2ε), so that is where the integral starts.
 */
export function index(phi: number, eps: number, panels = 4000): number {
  if (eps <= 0) return 0;
  return integrateDensity(-2 * Math.sqrt(2 * eps) * 1.0001, 0, phi, eps, panels);
}

/** The lowest λ where the density is positive, by bisection on the cubic's discriminant sign. */
export function lowerEdge(phi: number, eps: number): number {
  const inside = (l: number) => complexPairImag(...cubic(l, phi, eps)) > 0;
  // scan up from below the support for the first point inside it
  let lo = -2 * Math.sqrt(2 * eps) * 1.0001 - 1e-9;
  const top = (1 + Math.sqrt(phi)) ** 2 + 2 * Math.sqrt(2 * eps) + 1;
  const steps = 20000;
  let hi = NaN;
  for (let i = 1; i <= steps; i++) {
    const l = lo + ((top - lo) * i) / steps;
    if (inside(l)) {
      hi = l;
      lo = lo + ((top - lo) * (i - 1)) / steps;
      break;
    }
  }
  if (Number.isNaN(hi)) throw new RangeError("lowerEdge: no support found");
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (inside(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
