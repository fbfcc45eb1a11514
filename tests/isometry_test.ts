import { assert, assertAlmostEquals, assertThrows } from "./assert.ts";
import { type Activation, activation } from "../src/signal/activations.ts";
import { lengthMap } from "../src/signal/maps.ts";
import { criticalPoint, UnreachableError } from "../src/isometry/critical_point.ts";
import { jacobianMoments } from "../src/isometry/moments.ts";
import { sampleJacobianSpectra } from "../src/isometry/jacobian.ts";
import { meanAndError } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { ParamError } from "../src/params/schema.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import isometry from "../pipelines/isometry.ts";

Deno.test("criticalPoint(): χ1 = 1 with q* a fixed point (tanh, erf); ReLU and linear are one point", () => {
  for (const name of ["tanh", "erf"] as const) {
    for (const q of [0.05, 0.5, 3]) {
      const act = activation(name);
      const p = criticalPoint(act, q);
      assertAlmostEquals(p.sigma_w2 * p.mu1, 1, 1e-12); // χ1
      assertAlmostEquals(lengthMap({ act, ...p }, q), q, 1e-10 * q); // q* = σw² E φ² + σb²
      assert(p.sigma_b2 >= 0);
    }
  }
  // erf's moments of φ'² in closed form: μ_k = (4/π)^k / √(1 + 4kq)
  const e = criticalPoint(activation("erf"), 1);
  assertAlmostEquals(e.mu1, (4 / Math.PI) / Math.sqrt(5), 1e-12);
  assertAlmostEquals(e.mu2, (4 / Math.PI) ** 2 / 3, 1e-12);
  for (const q of [0.1, 10]) {
    // (their φ' is a step or a constant: Gauss–Hermite gets it to rounding)
    const relu = criticalPoint(activation("relu"), q);
    const lin = criticalPoint(activation("linear"), q);
    const got = [relu.sigma_w2, relu.sigma_b2, relu.mu1, relu.mu2, lin.sigma_w2, lin.sigma_b2];
    [2, 0, 0.5, 0.5, 1, 0].forEach((v, i) => assertAlmostEquals(got[i], v, 1e-12));
  }
  // φ(x) = x² − 1: E φ² = 2q² − 2q + 1 > q E φ'² = 4q² at q = 0.1, so σb² < 0: unreachable
  const square: Activation = {
    ...activation("tanh"),
    name: "tanh",
    phi: (x) => x * x - 1,
    dphi: (x) => 2 * x,
    d2phi: () => 2,
    pair: undefined,
    pairSlope: undefined,
  };
  assertThrows(() => criticalPoint(square, 0.1), UnreachableError, "not on");
  assertThrows(() => criticalPoint(activation("tanh"), 0), UnreachableError, "q* must be > 0");
});

Deno.test("jacobianMoments(): linear Gaussian nets have variance L, orthogonal ones none; ReLU cannot be isometric", () => {
  const lin = criticalPoint(activation("linear"), 1);
  // (the μ's come by quadrature: equal to ≈ 1e-15 relative)
  for (const L of [1, 4, 16]) {
    const g = jacobianMoments(lin, "gaussian", L);
    const o = jacobianMoments(lin, "orthogonal", L);
    assertAlmostEquals(g.mean, 1, 1e-12);
    assertAlmostEquals(g.variance, L, 1e-12 * L);
    assertAlmostEquals(o.variance, 0, 1e-12);
  }
  // μ2/μ1² = 2 for ReLU: variance 2L with Gaussian weights, L with orthogonal ones
  const relu = criticalPoint(activation("relu"), 1);
  assertAlmostEquals(jacobianMoments(relu, "gaussian", 10).variance, 20, 1e-10);
  assertAlmostEquals(jacobianMoments(relu, "orthogonal", 10).variance, 10, 1e-10);
  // orthogonal tanh approaches isometry as q* → 0 (μ2/μ1² → 1)
  const small = jacobianMoments(criticalPoint(activation("tanh"), 0.01), "orthogonal", 100);
  assert(small.variance < 0.1, `variance ${small.variance}`);
});

Deno.test("sampleJacobianSpectra(): sampled JJᵀ moments match the theory within Monte Carlo error", () => {
  // Width 120, depth 6, 20 networks per case. One network's mean eigenvalue fluctuates by
  // ≈ 10–30% (its layers' lengths wander by ≈ √(2/N) each), so the test allows 4 standard
  // errors of the 20-network average, plus a finite-width bias of O(L/N) = 5% on the mean and
  // 15% on the variance (the variance also carries the eigenvalues' own O(1/N) spread). Seen:
  // every case within 1.3 standard errors; swapping Gaussian and orthogonal (s1) fails it.
  const rng = new Rng(11);
  const cases = [
    ["tanh", 0.5, "gaussian"],
    ["tanh", 0.5, "orthogonal"],
    ["relu", 1, "gaussian"],
    ["linear", 1, "gaussian"],
  ] as const;
  for (const [name, q, weights] of cases) {
    const act = activation(name);
    const p = criticalPoint(act, q);
    const means: number[] = [];
    const variances: number[] = [];
    for (let draw = 0; draw < 20; draw++) {
      sampleJacobianSpectra(act, p, weights, 120, [6], rng, (_depth, ev) => {
        const m = ev.reduce((a, b) => a + b, 0) / ev.length;
        means.push(m);
        variances.push(ev.reduce((a, b) => a + (b - m) ** 2, 0) / ev.length);
      });
    }
    const theory = jacobianMoments(p, weights, 6);
    const m = meanAndError(means);
    const v = meanAndError(variances);
    const label = `${name} ${weights}`;
    assertAlmostEquals(m.mean, theory.mean, 4 * m.stderr + 0.05 * theory.mean, `${label} mean`);
    assertAlmostEquals(
      v.mean,
      theory.variance,
      4 * v.stderr + 0.15 * theory.variance,
      `${label} variance`,
    );
  }
  // orthogonal linear nets are exact isometries: every eigenvalue 1
  const lin = criticalPoint(activation("linear"), 1);
  sampleJacobianSpectra(activation("linear"), lin, "orthogonal", 40, [3], rng, (_d, ev) => {
    for (const e of ev) assertAlmostEquals(e, 1, 1e-10);
  });
});

Deno.test("isometry pipeline: a short run streams the critical point, theory at every depth, sampled moments and spectra", async () => {
  const rows = await pipelineRows(isometry, { depth: 8, width: 40, draws: 2 }, "iso");
  assert(rows.at(-1)!.status === "ok", `run ended ${rows.at(-1)!.status}`);
  const of = (s: string) => rows.filter((r) => r.stream === s);
  const cp = of("critical-point")[0];
  assertAlmostEquals((cp.sigma_w2 as number) * (cp.mu1 as number), 1, 1e-12);
  for (const weights of ["gaussian", "orthogonal"]) {
    const m = of("moments").filter((r) => r.weights === weights);
    // theory at every depth 1…8, simulation at the shown depths 1, 2, 4, 8
    assert(m.filter((r) => r.source === "theory").length === 8, "theory at every depth");
    const sim = m.filter((r) => r.source === "simulation").map((r) => r.depth);
    assert(JSON.stringify(sim) === "[1,2,4,8]", `${weights}: ${sim}`);
    // each depth's spectrum is a density of all the eigenvalues (those under the first bin
    // counted in it): its mass is 1
    for (const depth of [1, 8]) {
      const bins = of("spectrum").filter((r) => r.weights === weights && r.depth === depth);
      const mass = bins.reduce(
        (s, b) => s + (b.density as number) * ((b.hi as number) - (b.lo as number)),
        0,
      );
      assertAlmostEquals(mass, 1, 1e-9, `${weights} depth ${depth}`);
    }
  }
  assertThrows(() => resolveRunParams(isometry, { q_star: 0 }), ParamError, "q_star");
  assertThrows(
    () => resolveRunParams(isometry, { weights: "haar" }),
    ParamError,
    "both, gaussian, orthogonal",
  );
});
