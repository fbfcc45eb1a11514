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

Deno.test("the line of overlap critical points is invariant: a start on it stays (gradient zero for every z)", async () => {
  const { overlapCriticalPoint, amariCoordinates, fromAmari, stepper } = await import(
    "../src/singular/dynamics.ts"
  );
  const crit = overlapCriticalPoint(teacher, n, { v: 0.5, J: [0.3, 0.3, 0.3] });
  const c = amariCoordinates(crit, n);
  assert(c.u_norm === 0, "J1 = J2 kept by the symmetric descent");
  const J = crit.subarray(2, 2 + n);
  for (const z of [-2, -0.5, 0.3, 1.7]) {
    const theta = fromAmari(c.v, z, J, new Float64Array(n));
    assert(errorGradient(theta, teacher, n).every((g) => Math.abs(g) < 1e-10), `z = ${z}`);
    const s = stepper("gd", theta, teacher, n, { eta: 0.1, damping: 0 });
    for (let k = 0; k < 100; k++) s.step();
    const after = amariCoordinates(s.theta, n);
    assert(
      after.u_norm < 1e-9 && Math.abs(after.z - z) < 1e-9,
      `z = ${z}: ${JSON.stringify(after)}`,
    );
  }
});

Deno.test("natural gradient is the same trajectory in function space under a rescaling of v; gradient descent is not", async () => {
  const { stepper } = await import("../src/singular/dynamics.ts");
  // ψ = (c v1, c v2, J1, J2): ∇ψε = D⁻¹∇θε and Gψ = D⁻¹ Gθ D⁻¹ with D = diag(c, c, 1, …); an
  // NGD step in ψ, mapped back, is the NGD step in θ (exactly: D is linear). Written out here
  // independently of stepper(), which works in θ.
  const cScale = 3, p = theta.length;
  const D = Float64Array.from({ length: p }, (_, i) => (i < 2 ? cScale : 1));
  const { cholesky, choleskySolve } = await import("../src/numerics/cholesky.ts");
  const psi = theta.map((x, i) => x * D[i]);
  const eta = 0.05;
  for (let k = 0; k < 50; k++) {
    const th = psi.map((x, i) => x / D[i]);
    const g = errorGradient(th, teacher, n).map((x, i) => x / D[i]);
    const G = fisher(th, n).map((x, e) => x / (D[Math.floor(e / p)] * D[e % p]));
    const d = choleskySolve(cholesky(G, p), p, g);
    for (let i = 0; i < p; i++) psi[i] -= eta * d[i];
  }
  const ngd = stepper("ngd", theta, teacher, n, { eta, damping: 0 });
  const gd = stepper("gd", theta, teacher, n, { eta, damping: 0 });
  for (let k = 0; k < 50; k++) {
    ngd.step();
    gd.step();
  }
  const back = psi.map((x, i) => x / D[i]);
  // float64 rounding through 50 Cholesky solves of differently scaled matrices: ≈ 1e-9 relative
  for (let i = 0; i < p; i++) {
    assertAlmostEquals(
      ngd.theta[i],
      back[i],
      1e-8 * Math.max(1, Math.abs(back[i])),
      `component ${i}`,
    );
  }
  // plain gradient descent in ψ, mapped back, differs: it is not invariant
  const psiGd = theta.map((x, i) => x * D[i]);
  for (let k = 0; k < 50; k++) {
    const g = errorGradient(psiGd.map((x, i) => x / D[i]), teacher, n);
    for (let i = 0; i < p; i++) psiGd[i] -= eta * g[i] / D[i];
  }
  const gdBack = psiGd.map((x, i) => x / D[i]);
  assert(Math.abs(gdBack[0] - gd.theta[0]) > 1e-3, "GD depends on the parametrisation");
});

Deno.test("the Milnor attractor: the overlap line attracts where its transverse Hessian has no negative eigenvalue, and GD stalls there", async () => {
  const { overlapCriticalPoint, amariCoordinates, fromAmari, stepper } = await import(
    "../src/singular/dynamics.ts"
  );
  const { milnorSegments } = await import("../src/singular/attractor.ts");
  // the orthogonal teacher v* = (1, 1), J* = 1.5 e1, 1.5 e2 in two dimensions: the line of
  // overlap critical points is unstable for |z| < 1 and attracts beyond (the Hessian's factor
  // (1 − z²) changes sign at z = ±1)
  const orth: Teacher = { v: [1, 1], J: [Float64Array.of(1.5, 0), Float64Array.of(0, 1.5)] };
  const m = 2;
  const crit = overlapCriticalPoint(orth, m, { v: 0.5, J: [0.3, 0.3] });
  const c = amariCoordinates(crit, m);
  const J = Array.from(crit.subarray(2, 2 + m));
  const seg = milnorSegments(orth, m, c.v, J, -4, 4);
  assertAlmostEquals(seg.length, 2, 0);
  assertAlmostEquals(seg[0].z_hi, -1, 1e-5);
  assertAlmostEquals(seg[1].z_lo, 1, 1e-5);
  // ten random starts near the line: those that stall (ε within 5% of the plateau for more
  // than half of 20,000 steps) end inside a segment — measured 7 of 7 with this seed
  const plateau = generalisationError(crit, orth, m);
  const rng = new Rng(3);
  let stalled = 0, inside = 0;
  for (let s = 0; s < 10; s++) {
    const th0 = fromAmari(
      c.v * (0.6 + 0.4 * rng.uniform()),
      -4 + 8 * rng.uniform(),
      J.map((x) => x * (0.5 + 0.5 * rng.uniform())),
      [0.05 * rng.normal(), 0.05 * rng.normal()],
    );
    const gd = stepper("gd", th0, orth, m, { eta: 0.1, damping: 0 });
    let band = 0;
    for (let k = 0; k < 20_000; k++) {
      gd.step();
      if (Math.abs(generalisationError(gd.theta, orth, m) - plateau) < 0.05 * plateau) band++;
    }
    if (band < 10_000) continue;
    stalled++;
    const z = amariCoordinates(gd.theta, m).z;
    if (seg.some((g) => z >= g.z_lo && z <= g.z_hi)) inside++;
  }
  assert(stalled >= 5 && inside >= 0.9 * stalled, `${inside} of ${stalled} stalled starts inside`);
  // from one of them, natural gradient leaves the plateau at once
  const start = fromAmari(c.v * 0.8, 2.5, J.map((x) => x * 0.7), [0.05, -0.025]);
  const gd = stepper("gd", start, orth, m, { eta: 0.1, damping: 0 });
  const ngd = stepper("ngd", start, orth, m, { eta: 0.1, damping: 1e-6 });
  const escape = (s: typeof gd, max: number) => {
    for (let k = 0; k < max; k++) {
      if (generalisationError(s.theta, orth, m) < 0.1 * plateau) return k;
      s.step();
    }
    return Infinity;
  };
  const tNgd = escape(ngd, 1000), tGd = escape(gd, 20_000);
  assert(tNgd < 100 && tGd > 10 * tNgd, `escape steps: NGD ${tNgd}, GD ${tGd}`);
});

Deno.test("singularities: the default run — NGD leaves the plateau ≥ 10× sooner, GD stalls inside the segment; bad input named", async () => {
  const { default: singularities } = await import("../pipelines/singularities.ts");
  const { pipelineRows } = await import("./helpers/pipeline_rows.ts");
  const rows = await pipelineRows(singularities, { steps: 5000, starts: 4 });
  assert(rows.at(-1)!.status === "ok", String(rows.at(-1)!.status));
  const plateau = rows.find((r) => r.stream === "setup")!.plateau_error as number;
  const loss = (m: string) => rows.filter((r) => r.stream === "loss" && r.method === m);
  const leave = (m: string) =>
    loss(m).find((r) => (r.error as number) < 0.1 * plateau)?.t as number | undefined;
  const tNgd = leave("ngd")!, tGd = leave("gd") ?? (loss("gd").at(-1)!.t as number);
  assert(tNgd !== undefined && tGd >= 10 * tNgd, `GD ${tGd}, NGD ${tNgd}`);
  const seg = rows.filter((r) => r.stream === "attractor");
  const end = rows.filter((r) => r.stream === "trajectory" && r.method === "gd").at(-1)!;
  assert(
    seg.some((s) =>
      (end.z as number) >= (s.z_lo as number) && (end.z as number) <= (s.z_hi as number)
    ),
  );
  // every loss row finite (a diverging method would end the run with an error row instead)
  assert(rows.filter((r) => r.stream === "loss").every((r) => Number.isFinite(r.error)));
  // no damping: the Fisher matrix is singular on the line, and the error names the param
  const undamped = await pipelineRows(singularities, {
    steps: 3000,
    starts: 1,
    damping: 0,
    z0: 2.5,
    u0: 0,
  });
  const err = undamped.find((r) => r.stream === "error");
  assert(err && String(err.message).includes("--damping"), JSON.stringify(err));
});
