/**
 * The density of the eigenvalues of JJᵀ from free probability (Pennington, Schoenholz &
 * Ganguli 2017, §2–3; THEORY.md §3). With ψ(x) = Σ_k m_k x^k the moment generating function,
 * χ its inverse and S(z) = χ(z)(1 + z)/z, the S-transforms of freely independent factors
 * multiply: S_{JJᵀ} = (S_{WWᵀ} S_{D²})^L, with S_{WWᵀ}(z) = 1/(σw²(1 + z)) for Gaussian and
 * 1/σw² for orthogonal weights, and S_{D²} from the law of D² = φ'(√q* z)².
 *
 * For a point w = λ + iε, x = 1/w: find z = ψ_J(x). Writing y = χ_D(z), so that z = ψ_D(y)
 * (an expectation over D², by Gauss–Hermite), χ_J(z) = x becomes one equation in y:
 *   log(z/(1+z)) + L log(y c(z)) = log x,  c = 1/(σw² z) (Gaussian), (1+z)/(σw² z) (orthogonal),
 * solved by Newton's method, continued from outside the spectrum (x → 0, y ≈ z/μ1) down
 * along λ so that it stays on the physical branch. Then G(w) = (ψ_J(1/w) + 1)/w and the
 * density is −Im G(λ + iε)/π.
 *
 * @module
 */
import type { Activation } from "../signal/activations.ts";
import { gaussHermite } from "../numerics/gauss_hermite.ts";
import { erf } from "../numerics/erf.ts";
import type { CriticalPoint } from "./critical_point.ts";
import type { Weights } from "./moments.ts";

import { add, type C, div, log, mul, ONE, sub } from "../numerics/complex.ts";
export type { C };

/** The law of D² = φ'(√q* z)² as atoms (values and weights): Gauss–Hermite, or exact. */
function slopeLaw(
  act: Activation,
  qStar: number,
  nodes = 120,
): { values: Float64Array; weights: Float64Array } {
  // hard-tanh: exactly two atoms, 1 with probability erf(1/√(2q*)), else 0
  if (act.name === "hard-tanh") {
    const p = erf(1 / Math.sqrt(2 * qStar));
    return { values: Float64Array.of(1, 0), weights: Float64Array.of(p, 1 - p) };
  }
  const rule = gaussHermite(nodes);
  const s = Math.sqrt(qStar);
  return {
    values: Float64Array.from(rule.nodes, (z) => act.dphi(s * z) ** 2),
    weights: Float64Array.from(rule.weights),
  };
}

export interface FreeDensityOptions {
  /** ε in w = λ + iε, relative to λ (smooths the density on that scale) */
  readonly epsilon?: number;
  /** Newton iterations allowed at one point */
  readonly iterations?: number;
}

/**
 * ψ_J(1/w) for JJᵀ at points w visited in order along a path that starts outside the
 * spectrum (large |w|) and moves in small steps, each solution the next one's start — the
 * continuation that keeps to the physical branch. Returns G(w) = (ψ_J(1/w) + 1)/w at each
 * point, NaN where Newton's method did not converge.
 */
export function jacobianStieltjes(
  act: Activation,
  p: CriticalPoint,
  weights: Weights,
  depth: number,
  path: readonly C[],
  iterations = 60,
): C[] {
  const law = slopeLaw(act, p.q_star);
  const L = depth;
  const sw = p.sigma_w2;
  // ψ_D(y) = E λy/(1 − λy) and its derivative E λ/(1 − λy)²
  const psiD = (y: C): [C, C] => {
    let v: C = [0, 0];
    let dv: C = [0, 0];
    for (let i = 0; i < law.values.length; i++) {
      const lam = law.values[i];
      if (lam === 0) continue;
      const den = sub(ONE, [lam * y[0], lam * y[1]]);
      const r = div([law.weights[i] * lam, 0], den);
      v = add(v, mul(r, y));
      dv = add(dv, div(r, den));
    }
    return [v, dv];
  };
  const c = (z: C): C =>
    weights === "gaussian"
      ? div(ONE, [sw * z[0], sw * z[1]])
      : div(add(ONE, z), [sw * z[0], sw * z[1]]);
  // d log c / dz
  const dlogc = (z: C): C =>
    weights === "gaussian" ? div([-1, 0], z) : sub(div(ONE, add(ONE, z)), div(ONE, z));
  const out: C[] = [];
  let y: C | null = null;
  // The logs' phases are followed continuously along the path (unwrapped against the last
  // solution's): with principal logs, L arg(y c) would jump by 2π and Newton would switch
  // branch when the path leaves the real axis.
  const phase = { a: 0, q: 0, x: 0 };
  const unwrap = (v: C, ref: number): C => [
    v[0],
    v[1] + 2 * Math.PI * Math.round((ref - v[1]) / (2 * Math.PI)),
  ];
  for (const w of path) {
    const x = div(ONE, w);
    const logx = unwrap(log(x), phase.x);
    // the first point: outside the spectrum x is small, z ≈ x, y ≈ z/μ1
    let cur: C = y ?? [x[0] / p.mu1, x[1] / p.mu1];
    let ok = false;
    for (let it = 0; it < iterations; it++) {
      const [z, dz] = psiD(cur);
      const lc = unwrap(log(mul(cur, c(z))), phase.a);
      const lq = unwrap(log(div(z, add(ONE, z))), phase.q);
      const f = sub(add(lq, [L * lc[0], L * lc[1]]), logx);
      // |log x| grows to ≈ 20 at λ ≈ 1e-9: rounding limits F's accuracy relative to it
      if (Math.hypot(f[0], f[1]) < 1e-13 * (1 + Math.hypot(logx[0], logx[1]))) {
        ok = true;
        break;
      }
      // dF/dy = [1/z − 1/(1+z) + L dlogc(z)] ψ_D'(y) + L/y
      const dl = dlogc(z);
      const inner = add(sub(div(ONE, z), div(ONE, add(ONE, z))), [L * dl[0], L * dl[1]]);
      let step = div(f, add(mul(inner, dz), div([L, 0], cur)));
      // damped: the continuation should move y a little at a time
      const size = Math.hypot(step[0], step[1]);
      const scale = 0.5 * Math.hypot(cur[0], cur[1]);
      if (size > scale) step = [(step[0] * scale) / size, (step[1] * scale) / size];
      cur = sub(cur, step);
      if (Math.hypot(step[0], step[1]) < 1e-15 * Math.hypot(cur[0], cur[1])) {
        ok = true; // converged as far as float64 can tell
        break;
      }
    }
    if (!ok) {
      out.push([NaN, NaN]);
      continue;
    }
    y = cur;
    const [z] = psiD(cur);
    phase.a = unwrap(log(mul(cur, c(z))), phase.a)[1];
    phase.q = unwrap(log(div(z, add(ONE, z))), phase.q)[1];
    phase.x = logx[1];
    out.push(div(add(z, ONE), w));
  }
  return out;
}

/**
 * The density of JJᵀ's eigenvalues at each λ of `grid`: −Im G(λ + iελ)/π, walked from the
 * largest λ (outside the spectrum) down. In the grid's order; NaN where not converged.
 */
export function jacobianDensity(
  act: Activation,
  p: CriticalPoint,
  weights: Weights,
  depth: number,
  grid: readonly number[],
  opts: FreeDensityOptions = {},
): Float64Array {
  const eps = opts.epsilon ?? 1e-4;
  const order = grid.map((_, i) => i).sort((a, b) => grid[b] - grid[a]);
  // Walk in from well outside the spectrum (its edge is below e(L + 1) times the mean's
  // scale for these nets; ten times that, then 60 geometric steps down to the grid's top),
  // so the first grid point starts on the physical branch even if it lies in the bulk.
  const top = Math.max(grid[order[0]], 1);
  const start = 10 * Math.E * (depth + 1) * top;
  const warm = Array.from({ length: 60 }, (_, k): C => {
    const l = start * (top / start) ** (k / 60);
    return [l, eps * l];
  });
  const g = jacobianStieltjes(
    act,
    p,
    weights,
    depth,
    [...warm, ...order.map((i) => [grid[i], eps * grid[i]] as C)],
    opts.iterations,
  ).slice(warm.length);
  const out = new Float64Array(grid.length);
  order.forEach((i, k) => (out[i] = -g[k][1] / Math.PI));
  return out;
}

/**
 * The right edge of JJᵀ's spectrum, its largest eigenvalue as the width grows. Beyond the
 * edge ψ_J is real, and along real y ∈ (0, 1/max D²) — where z = ψ_D(y) runs over (0, ∞) —
 * x = χ_J(z) = (z/(1+z)) (y c(z))^L rises to a maximum at the branch point; the edge is
 * 1/max x. Golden-section search on log y.
 */
export function jacobianEdge(
  act: Activation,
  p: CriticalPoint,
  weights: Weights,
  depth: number,
): number {
  const law = slopeLaw(act, p.q_star);
  let dMax = 0;
  for (let i = 0; i < law.values.length; i++) {
    if (law.weights[i] > 0) dMax = Math.max(dMax, law.values[i]);
  }
  const psiD = (y: number) => {
    let v = 0;
    for (let i = 0; i < law.values.length; i++) {
      v += law.weights[i] * (law.values[i] * y) / (1 - law.values[i] * y);
    }
    return v;
  };
  const sw = p.sigma_w2;
  // log x(y), with log for the large powers
  const logX = (logY: number) => {
    const y = Math.exp(logY);
    const z = psiD(y);
    const c = weights === "gaussian" ? 1 / (sw * z) : (1 + z) / (sw * z);
    return Math.log(z / (1 + z)) + depth * Math.log(y * c);
  };
  let a = Math.log(1e-12 / dMax), b = Math.log((1 - 1e-12) / dMax);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200; it++) {
    const c = b - g * (b - a), d = a + g * (b - a);
    if (logX(c) < logX(d)) a = c;
    else b = d;
  }
  return Math.exp(-logX((a + b) / 2));
}
