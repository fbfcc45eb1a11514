/**
 * The two-unit perceptron's exact expectations (src/singular; THEORY.md §9) against Monte
 * Carlo on a fixed draw and against central differences: the groundwork of issue #21.
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { Rng } from "../src/random/rng.ts";
import { erf } from "../src/numerics/erf.ts";
import {
  errorGradient,
  fisher,
  generalisationError,
  type Teacher,
  units,
} from "../src/singular/two_unit.ts";

const phi = (u: number) => erf(u / Math.SQRT2);
const dphi = (u: number) => Math.sqrt(2 / Math.PI) * Math.exp(-u * u / 2);
const n = 3;
const teacher: Teacher = {
  v: [1, -0.6],
  J: [Float64Array.of(1, 0.5, 0), Float64Array.of(-0.3, 1.2, 0.4)],
};
const theta = Float64Array.of(0.8, 0.3, 0.7, 0.2, -0.1, 0.1, 0.9, 0.5);
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const f = (th: Float64Array, x: Float64Array) => {
  const { v, J } = units(th, n);
  return v[0] * phi(dot(J[0], x)) + v[1] * phi(dot(J[1], x));
};
const fStar = (x: Float64Array) =>
  teacher.v.reduce((s, v, k) => s + v * phi(dot(teacher.J[k], x)), 0);

Deno.test("two-unit perceptron: the exact error against Monte Carlo, its gradient against central differences", () => {
  // 200,000 Gaussian inputs: the error's standard error is estimated from the draw; 4 allowed
  const rng = new Rng(3);
  const x = new Float64Array(n);
  let s = 0, s2 = 0;
  const draws = 200_000;
  for (let k = 0; k < draws; k++) {
    rng.fillNormal(x);
    const e = (f(theta, x) - fStar(x)) ** 2 / 2;
    s += e;
    s2 += e * e;
  }
  const mean = s / draws, se = Math.sqrt((s2 / draws - mean * mean) / draws);
  const exact = generalisationError(theta, teacher, n);
  assertAlmostEquals(exact, mean, 4 * se, `${exact} against ${mean} ± ${se}`);
  // the gradient: central differences of the exact error (h = 1e-5: O(h²) ≈ 1e-10)
  const g = errorGradient(theta, teacher, n);
  for (let i = 0; i < theta.length; i++) {
    const up = theta.slice(), down = theta.slice();
    up[i] += 1e-5;
    down[i] -= 1e-5;
    const fd = (generalisationError(up, teacher, n) - generalisationError(down, teacher, n)) / 2e-5;
    assertAlmostEquals(g[i], fd, 1e-8, `component ${i}`);
  }
  // the student that is the teacher has no error and no gradient
  const same = Float64Array.of(1, -0.6, ...teacher.J[0], ...teacher.J[1]);
  assertAlmostEquals(generalisationError(same, teacher, n), 0, 1e-15);
  assert(errorGradient(same, teacher, n).every((v) => Math.abs(v) < 1e-14));
});

Deno.test("two-unit perceptron: the exact Fisher matrix against the sampled outer product of ∇f", () => {
  const rng = new Rng(9);
  const p = 2 + 2 * n, draws = 200_000;
  const sum = new Float64Array(p * p), sq = new Float64Array(p * p);
  const x = new Float64Array(n);
  const { v, J } = units(theta, n);
  const grad = new Float64Array(p);
  for (let k = 0; k < draws; k++) {
    rng.fillNormal(x);
    for (let i = 0; i < 2; i++) {
      const u = dot(J[i], x);
      grad[i] = phi(u);
      for (let c = 0; c < n; c++) grad[2 + i * n + c] = v[i] * dphi(u) * x[c];
    }
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) {
        const e = grad[r] * grad[c];
        sum[r * p + c] += e;
        sq[r * p + c] += e * e;
      }
    }
  }
  const g = fisher(theta, n);
  for (let e = 0; e < p * p; e++) {
    const mean = sum[e] / draws, se = Math.sqrt((sq[e] / draws - mean * mean) / draws);
    assertAlmostEquals(g[e], mean, 4.5 * se + 1e-12, `entry ${e}: ${g[e]} against ${mean} ± ${se}`);
  }
});
