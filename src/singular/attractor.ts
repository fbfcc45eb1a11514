/**
 * The Milnor attractor on the overlap line (Amari, Park & Ozeki 2006; Wei, Zhang, Cousseau,
 * Ozeki & Amari 2008): every point θ(v*, z, J*, u = 0) of the line of overlap critical
 * points (dynamics.ts) is a critical point, and whether nearby trajectories fall onto it is
 * decided by the Hessian of ε in the transverse direction u there. Where that Hessian has
 * no negative eigenvalue the line attracts (a flat direction, |λ| below a tolerance, neither
 * pushes nor pulls); where it has one, trajectories leave. Gradient descent arriving on the
 * attracting part stalls at the plateau error ε(θ*) — natural gradient does not.
 *
 * @module
 */
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { amariCoordinates, fromAmari } from "./dynamics.ts";
import { errorGradient, generalisationError, type Teacher } from "./two_unit.ts";

/** The transverse Hessian's eigenvalues at z on the line (central differences of the exact ε). */
export function transverseEigenvalues(
  teacher: Teacher,
  n: number,
  vStar: number,
  jStar: ArrayLike<number>,
  z: number,
): Float64Array {
  const h = 1e-4, H = new Float64Array(n * n);
  const at = (a: number, da: number, b: number, db: number) => {
    const u = new Float64Array(n);
    u[a] += da;
    u[b] += db;
    return generalisationError(fromAmari(vStar, z, jStar, u), teacher, n);
  };
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      H[a * n + b] = (at(a, h, b, h) - at(a, h, b, -h) - at(a, -h, b, h) + at(a, -h, b, -h)) /
        (4 * h * h);
    }
  }
  return symmetricEigen(H, n).values;
}

/**
 * The attracting parts of the line over z ∈ [lo, hi] (scanned at `points` values; the ends
 * of each segment refined to 1e-6 by bisection): z where no transverse eigenvalue is below
 * −tol. Near z = ±1 the Hessian vanishes (its factor (1 − z²) does), so those are the ends.
 */
export function milnorSegments(
  teacher: Teacher,
  n: number,
  vStar: number,
  jStar: ArrayLike<number>,
  lo: number,
  hi: number,
  points = 161,
  tol = 1e-6,
): { z_lo: number; z_hi: number }[] {
  const stable = (z: number) =>
    transverseEigenvalues(teacher, n, vStar, jStar, z)[0] > -tol &&
    Math.abs(Math.abs(z) - 1) > 1e-9;
  const zs = Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
  const refine = (a: number, b: number) => {
    // a and b on opposite sides; returns the boundary
    const sa = stable(a);
    for (let k = 0; k < 40 && Math.abs(b - a) > 1e-6; k++) {
      const m = (a + b) / 2;
      if (stable(m) === sa) a = m;
      else b = m;
    }
    return (a + b) / 2;
  };
  const out: { z_lo: number; z_hi: number }[] = [];
  let start: number | null = null;
  for (let k = 0; k < zs.length; k++) {
    const s = stable(zs[k]);
    if (s && start === null) start = k === 0 ? zs[0] : refine(zs[k - 1], zs[k]);
    if (!s && start !== null) {
      out.push({ z_lo: start, z_hi: refine(zs[k - 1], zs[k]) });
      start = null;
    }
  }
  if (start !== null) out.push({ z_lo: start, z_hi: zs[zs.length - 1] });
  return out;
}

/**
 * Gradient descent's velocity in the (z, |u|) plane at the point (v*, z, J*, r·e) of the
 * slice through the line along the unit direction e: (dz/dt, d|u|/dt), by a small step.
 */
export function planeVelocity(
  teacher: Teacher,
  n: number,
  vStar: number,
  jStar: ArrayLike<number>,
  e: ArrayLike<number>,
  z: number,
  r: number,
): { dz: number; du: number } {
  const u = Float64Array.from(e, (x) => x * r);
  const theta = fromAmari(vStar, z, jStar, u);
  const g = errorGradient(theta, teacher, n);
  const h = 1e-6;
  const moved = theta.map((x, i) => x - h * g[i]);
  const a = amariCoordinates(theta, n), b = amariCoordinates(moved, n);
  return { dz: (b.z - a.z) / h, du: (b.u_norm - a.u_norm) / h };
}
