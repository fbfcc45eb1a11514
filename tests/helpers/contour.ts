/**
 * The moments of a spectral law from its Stieltjes transform G, by the contour integrals
 * (1/2πi) ∮ w^k G(w) dw, k = 0, 1, 2, around a circle enclosing the spectrum [0, edge]: an
 * oracle for a density that needs no quadrature near its edges or singularities. G is
 * analytic off the spectrum, so the trapezoid rule on the circle converges geometrically:
 * 2,000 points give the moments to rounding.
 *
 * @module
 */
import type { C } from "../../src/numerics/complex.ts";

/** `stieltjes` maps a path of points (walked in order, from the rightmost) to G there. */
export function contourMoments(stieltjes: (path: C[]) => C[], edge: number): number[] {
  const M = 2000;
  const c = edge / 2, r = 0.75 * edge + 0.5;
  const path = Array.from({ length: M }, (_, k): C => {
    const t = (2 * Math.PI * k) / M;
    return [c + r * Math.cos(t), r * Math.sin(t)];
  });
  const g = stieltjes(path);
  const m = [0, 0, 0];
  for (let k = 0; k < M; k++) {
    // (1/2πi) G(w) dw with dw = i (w − c) dθ: the real part of G(w)(w − c)/M, times w^k
    let f: C = [
      g[k][0] * (path[k][0] - c) - g[k][1] * path[k][1],
      g[k][0] * path[k][1] + g[k][1] * (path[k][0] - c),
    ];
    for (let j = 0; j < 3; j++) {
      m[j] += f[0] / M;
      f = [f[0] * path[k][0] - f[1] * path[k][1], f[0] * path[k][1] + f[1] * path[k][0]];
    }
  }
  return m;
}
