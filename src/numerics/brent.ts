/**
 * Brent's method: a bracketed root of a continuous function, with the
 * reliability of bisection and the speed of inverse quadratic interpolation
 * (Brent 1973; Numerical Recipes §9.3, `zbrent`).
 *
 * @module
 */

/** Raised when [a, b] does not bracket a root (f(a) and f(b) of one sign). */
export class NoBracketError extends Error {}

/** A root of f in [a, b]; f(a) and f(b) must differ in sign (or one be 0). */
export function brent(
  f: (x: number) => number,
  a: number,
  b: number,
  tol = 1e-14,
  maxIter = 200,
): number {
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (!(fa * fb < 0)) {
    throw new NoBracketError(`brent: f(${a}) = ${fa} and f(${b}) = ${fb} do not bracket a root`);
  }
  let c = b;
  let fc = fb;
  let d = b - a;
  let e = d;
  for (let it = 0; it < maxIter; it++) {
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol1 = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tol;
    const xm = 0.5 * (c - b);
    if (Math.abs(xm) <= tol1 || fb === 0) return b;
    if (Math.abs(e) >= tol1 && Math.abs(fa) > Math.abs(fb)) {
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * xm * s;
        q = 1 - s;
      } else {
        const qq = fa / fc;
        const r = fb / fc;
        p = s * (2 * xm * qq * (qq - r) - (b - a) * (r - 1));
        q = (qq - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      p = Math.abs(p);
      const min1 = 3 * xm * q - Math.abs(tol1 * q);
      const min2 = Math.abs(e * q);
      if (2 * p < Math.min(min1, min2)) {
        e = d;
        d = p / q;
      } else {
        d = xm;
        e = d;
      }
    } else {
      d = xm;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol1 ? d : (xm >= 0 ? tol1 : -tol1);
    fb = f(b);
  }
  return b;
}
