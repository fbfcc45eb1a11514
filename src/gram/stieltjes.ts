/**
 * The spectrum of the Gram matrix of one random nonlinear layer (Pennington & Worah, NIPS
 * 2017; THEORY.md §7): Y = f(WX) with W_ij ~ N(0, σw²/n0), X_ij ~ N(0, σx²) (so each
 * pre-activation has variance σ² = σw² σx²), M = YYᵀ/m (n1 × n1), φ = n0/m, ψ = n0/n1.
 * With η = E f(σz)² and ζ = [σ E f'(σz)]² (f centred), the Stieltjes transform is
 *   G(z) = (ψ/z) P(1/(zψ)) + (1 − ψ)/z,
 *   P = 1 + (η − ζ) t P_φ P_ψ + P_φ P_ψ t ζ / (1 − P_φ P_ψ t ζ),
 *   P_φ = 1 + (P − 1)φ, P_ψ = 1 + (P − 1)ψ, t = 1/(zψ):
 * a quartic in P. Its root is taken by Newton's method continued along a path that starts
 * far from the spectrum (t → 0, P → 1), which keeps to the root that makes G a Stieltjes
 * transform. ζ = 0 gives Marchenko–Pastur; f linear, a product of two Wishart matrices.
 *
 * @module
 */

import { add, type C, div, mul, ONE, scale, sub } from "../numerics/complex.ts";
export type { C };

export interface GramShape {
  /** η = E f(σz)² */
  readonly eta: number;
  /** ζ = [σ E f'(σz)]² */
  readonly zeta: number;
  /** φ = n0/m */
  readonly phi: number;
  /** ψ = n0/n1 */
  readonly psi: number;
}

/**
 * G(z) at each point of `path` (visited in order; start far from the spectrum, move in small
 * steps). NaN where Newton's method did not converge.
 */
export function gramStieltjes(s: GramShape, path: readonly C[], iterations = 80): C[] {
  const { eta, zeta, phi, psi } = s;
  // F(P) = 1 + (η − ζ) t A + ζ t A / (1 − ζ t A) − P, A = P_φ P_ψ, and dF/dP
  const residual = (p: C, t: C): [C, C] => {
    const pphi = add(ONE, scale(sub(p, ONE), phi));
    const ppsi = add(ONE, scale(sub(p, ONE), psi));
    const a = mul(pphi, ppsi);
    const da = add(scale(ppsi, phi), scale(pphi, psi)); // dA/dP
    const ta = mul(t, a);
    const u = sub(ONE, scale(ta, zeta)); // 1 − ζ t A
    const f = sub(add(add(ONE, scale(ta, eta - zeta)), div(scale(ta, zeta), u)), p);
    // d/dP [ζ tA / (1 − ζ tA)] = ζ t A' / (1 − ζ t A)²
    const tda = mul(t, da);
    const df = sub(add(scale(tda, eta - zeta), div(scale(tda, zeta), mul(u, u))), ONE);
    return [f, df];
  };
  const out: C[] = [];
  let p: C = ONE; // t → 0: P → 1
  for (const z of path) {
    const t = div(ONE, scale(z, psi));
    let cur = p;
    let ok = false;
    for (let it = 0; it < iterations; it++) {
      const [f, df] = residual(cur, t);
      if (Math.hypot(f[0], f[1]) < 1e-14 * (1 + Math.hypot(cur[0], cur[1]))) {
        ok = true;
        break;
      }
      let step = div(f, df);
      const size = Math.hypot(step[0], step[1]);
      const cap = 0.5 * (1 + Math.hypot(cur[0], cur[1]));
      if (size > cap) step = scale(step, cap / size);
      cur = sub(cur, step);
      // near z = 0 the terms are of size |t| ≫ 1 and F's rounding with them: stop when the
      // step no longer changes P
      if (Math.hypot(step[0], step[1]) < 1e-15 * (1 + Math.hypot(cur[0], cur[1]))) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      out.push([NaN, NaN]);
      continue;
    }
    p = cur;
    // G(z) = (ψ/z) P + (1 − ψ)/z
    out.push(div(add(scale(cur, psi), [1 - psi, 0]), z));
  }
  return out;
}

/**
 * The density −Im G(λ + iελ)/π at each λ of `grid`, walked in from well outside the
 * spectrum (beyond η (1 + √(n1/m))² (1 + √(n1/n0))², a bound on its edge). Grid order.
 */
export function gramDensity(s: GramShape, grid: readonly number[], epsilon = 1e-4): Float64Array {
  const order = grid.map((_, i) => i).sort((a, b) => grid[b] - grid[a]);
  const edge = s.eta * (1 + Math.sqrt(s.phi / s.psi)) ** 2 * (1 + Math.sqrt(1 / s.psi)) ** 2;
  const top = Math.max(grid[order[0]], edge);
  const start = 20 * top;
  const warm = Array.from({ length: 60 }, (_, k): C => {
    const l = start * (top / start) ** (k / 60);
    return [l, epsilon * l];
  });
  const g = gramStieltjes(s, [...warm, ...order.map((i) => [grid[i], epsilon * grid[i]] as C)])
    .slice(warm.length);
  const out = new Float64Array(grid.length);
  order.forEach((i, k) => (out[i] = -g[k][1] / Math.PI));
  return out;
}
