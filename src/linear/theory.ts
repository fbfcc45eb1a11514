/**
 * Mode strengths of a deep linear network trained by full-batch gradient
 * descent from a decoupled start (Saxe et al. 2014, Eqs. 6–8 and §4; THEORY.md
 * §2). t counts steps and τ = 1/λ.
 *
 * @module
 */

/**
 * Three-layer net (two weight matrices): a(t) = s e^{2st/τ} / (e^{2st/τ} − 1 + s/a0),
 * written as s / (1 + (s/a0 − 1) e^{−2st/τ}) so it never overflows.
 */
export function modeStrength(s: number, a0: number, t: number, tau: number): number {
  return s / (1 + (s / a0 - 1) * Math.exp((-2 * s * t) / tau));
}

/** Steps from a0 to af: t = (τ/2s) ln[af (s − a0) / (a0 (s − af))]. */
export function learningTime(s: number, a0: number, af: number, tau: number): number {
  return (tau / (2 * s)) * Math.log((af * (s - a0)) / (a0 * (s - af)));
}

/**
 * A net of `depth` weight matrices (N_l = depth + 1 layers): integrates
 * τ da/dt = D a^{2−2/D} (s − a) by classical Runge–Kutta, `substeps` per unit
 * of t, and returns a(t) at t = 0, 1, …, steps. For D = 2 this is the closed form.
 */
export function modeStrengthDeep(
  s: number,
  a0: number,
  depth: number,
  tau: number,
  steps: number,
  substeps = 8,
): Float64Array {
  const p = 2 - 2 / depth;
  const f = (a: number) => (depth * Math.pow(Math.max(a, 0), p) * (s - a)) / tau;
  const out = new Float64Array(steps + 1);
  let a = a0;
  out[0] = a;
  const h = 1 / substeps;
  for (let t = 1; t <= steps; t++) {
    for (let k = 0; k < substeps; k++) {
      const k1 = f(a);
      const k2 = f(a + (h / 2) * k1);
      const k3 = f(a + (h / 2) * k2);
      const k4 = f(a + h * k3);
      a += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    out[t] = a;
  }
  return out;
}

/**
 * The exact strengths of the gradient-descent steps the simulation takes, from a balanced
 * decoupled start (each of the D layers carries b = a^{1/D} of the mode): with
 * Δb = λ (s − a) b^{D−1} per layer, a_{k+1} = a_k (1 + λ (s − a_k) a_k^{(D−2)/D})^D, and
 * for D = 2, a_{k+1} = a_k (1 + λ (s − a_k))². a(0…steps). The continuous solution above is
 * its λ → 0 limit; at the talk's λs ≈ 0.075 it lags these steps by up to 8% of s.
 */
export function modeStrengthSteps(
  s: number,
  a0: number,
  depth: number,
  lr: number,
  steps: number,
): Float64Array {
  const out = new Float64Array(steps + 1);
  let a = a0;
  out[0] = a;
  const p = (depth - 2) / depth;
  for (let t = 1; t <= steps; t++) {
    a = a * (1 + lr * (s - a) * Math.pow(Math.max(a, 0), p)) ** depth;
    out[t] = a;
  }
  return out;
}
