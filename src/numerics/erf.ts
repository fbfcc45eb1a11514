/**
 * The error function in float64 (JavaScript has no Math.erf).
 *
 * |x| < 3: erf x = (2/√π) e^{-x²} Σ_n 2^n x^{2n+1} / (1·3·…·(2n+1)), a series of
 * positive terms, so no cancellation (Abramowitz & Stegun 7.1.6).
 * |x| ≥ 3: erfc by its continued fraction (A&S 7.1.14), evaluated with the
 * modified Lentz method; it converges in a few dozen terms there.
 *
 * @module
 */

/** erf(x) to about 1e-15 absolute. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    const v = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
    return x < 0 ? -v : v;
  }
  const v = 1 - erfcLarge(ax);
  return x < 0 ? -v : v;
}

/** erfc(x) for x ≥ 3: e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let C = x;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    D = x + a * D;
    D = D === 0 ? tiny : D;
    C = x + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}
