import { assert, assertAlmostEquals, assertThrows } from "./assert.ts";
import { type Activation, activation } from "../src/signal/activations.ts";
import { lengthMap } from "../src/signal/maps.ts";
import { criticalPoint, UnreachableError } from "../src/isometry/critical_point.ts";
import { jacobianMoments } from "../src/isometry/moments.ts";
import { sampleJacobianSpectra } from "../src/isometry/jacobian.ts";
import { jacobianDensity, jacobianEdge, jacobianStieltjes } from "../src/isometry/free_density.ts";
import { meanAndError } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { ParamError } from "../src/params/schema.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { contourMoments } from "./helpers/contour.ts";
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
      const spectrum = of("spectrum").filter((r) => r.weights === weights && r.depth === depth);
      const bins = spectrum.filter((r) => r.source === "simulation");
      assert(spectrum.some((r) => r.source === "theory"), `${weights} ${depth}: a theory density`);
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

/** The law's moments by contour integrals (tests/helpers/contour.ts). */
const contourMomentsOf = (
  name: "linear" | "tanh" | "relu" | "hard-tanh",
  q: number,
  weights: "gaussian" | "orthogonal",
  depth: number,
  edge: number,
) => {
  const act = activation(name);
  const p = criticalPoint(act, q);
  return contourMoments((path) => jacobianStieltjes(act, p, weights, depth, path), edge);
};

Deno.test("jacobianStieltjes(): the free-probability law has mass 1 and the closed-form mean and variance (to 1e-6)", () => {
  const cases = [
    ["linear", 1, "gaussian", 2, 6.75],
    ["linear", 1, "gaussian", 8, 25],
    ["tanh", 1 / 64, "orthogonal", 64, 3],
    ["tanh", 1 / 64, "gaussian", 16, 60],
    ["tanh", 0.5, "orthogonal", 8, 30],
    ["relu", 1, "gaussian", 4, 40],
  ] as const;
  for (const [name, q, weights, depth, edge] of cases) {
    const [mass, m1, m2] = contourMomentsOf(name, q, weights, depth, edge);
    const theory = jacobianMoments(criticalPoint(activation(name), q), weights, depth);
    const label = `${name} ${weights} L = ${depth}`;
    assertAlmostEquals(mass, 1, 1e-6, `${label}: mass`);
    assertAlmostEquals(m1, theory.mean, 1e-6, `${label}: mean`);
    assertAlmostEquals(
      m2 - m1 * m1,
      theory.variance,
      1e-6 * Math.max(1, theory.variance),
      `${label}: variance`,
    );
  }
});

Deno.test("jacobianDensity(): one Gaussian layer is Marchenko–Pastur; a product of two ends at (L+1)^{L+1}/L^L", () => {
  const lin = activation("linear");
  const p = criticalPoint(lin, 1);
  const grid = [0.1, 0.5, 1, 2, 3, 3.9];
  const d = jacobianDensity(lin, p, "gaussian", 1, grid, { epsilon: 1e-9 });
  // ρ(λ) = √((4 − λ)/λ) / 2π on [0, 4]; ε = 1e-9 of λ smooths it by far less than 1e-6
  grid.forEach((l, i) => assertAlmostEquals(d[i], Math.sqrt((4 - l) / l) / (2 * Math.PI), 1e-6));
  // L = 2: the largest eigenvalue of a product of two square Gaussian matrices, 27/4
  const [inside, outside] = jacobianDensity(lin, p, "gaussian", 2, [6.6, 6.9], { epsilon: 1e-9 });
  assert(inside > 1e-3 && outside < 1e-6, `density ${inside} at 6.6, ${outside} at 6.9`);
});

Deno.test("jacobianDensity() against sampled Jacobians: the fraction of eigenvalues under 1 (tanh, q* = 0.5, depth 8)", () => {
  const act = activation("tanh");
  const p = criticalPoint(act, 0.5);
  const rng = new Rng(21);
  for (const weights of ["orthogonal", "gaussian"] as const) {
    // the theory's mass on (0, 1]: one minus its mass above 1, by the density on a fine log
    // grid from 1 to past the edge (the mass under 1 itself is singular at 0 for Gaussian
    // weights, ρ ~ λ^{−L/(L+1)}, and a grid would miss a share of it)
    const n = 3000, lo = 1, hi = 200;
    const rr = Math.log(hi / lo) / n;
    const mids = Array.from({ length: n }, (_, i) => lo * Math.exp((i + 0.5) * rr));
    const d = jacobianDensity(act, p, weights, 8, mids);
    let above = 0;
    for (let i = 0; i < n; i++) above += d[i] * lo * (Math.exp((i + 1) * rr) - Math.exp(i * rr));
    const below = 1 - above;
    // 12 networks of width 150: 1,800 eigenvalues, a binomial standard error of ≈ 0.012 on
    // the fraction; finite width adds O(1/N); 0.05 covers both (seen: 0.703 against 0.705
    // orthogonal, 0.849 against 0.852 Gaussian)
    let count = 0, all = 0;
    for (let k = 0; k < 12; k++) {
      sampleJacobianSpectra(act, p, weights, 150, [8], rng, (_d, ev) => {
        for (const e of ev) if (e <= 1) count++;
        all += ev.length;
      });
    }
    assertAlmostEquals(
      count / all,
      below,
      0.05,
      `${weights}: sampled ${count / all}, theory ${below}`,
    );
  }
});

Deno.test("hard-tanh: closed-form critical point (checked by quadrature), isometric as q* → 0, its law's moments exact", () => {
  const act = activation("hard-tanh");
  for (const q of [0.05, 0.5, 4]) {
    const p = criticalPoint(act, q);
    // the closed forms against brute-force quadrature of the kinked integrands: a midpoint
    // rule of step h = 6e-5 over ±12 standard deviations, whose error at φ''s jumps is up to
    // ≈ h × the density there (≈ 1.5e-5), hence 5e-5
    const n = 400_000, lim = 12;
    let ms = 0, slope = 0;
    for (let i = 0; i < n; i++) {
      const z = -lim + ((i + 0.5) * 2 * lim) / n;
      const w = (Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI)) * (2 * lim / n);
      ms += w * act.phi(Math.sqrt(q) * z) ** 2;
      slope += w * act.dphi(Math.sqrt(q) * z);
    }
    assertAlmostEquals(p.mu1, slope, 5e-5);
    assertAlmostEquals(p.sigma_b2, q - p.sigma_w2 * ms, 5e-5);
    assertAlmostEquals(p.sigma_w2 * p.mu1, 1, 1e-12);
    assert(p.sigma_b2 >= 0);
  }
  // orthogonal: variance L(1/p − 1) → 0 as q* → 0
  const v = jacobianMoments(criticalPoint(act, 0.05), "orthogonal", 64).variance;
  assert(v < 1e-3, `variance ${v}`);
  // the free-probability law with D²'s two exact atoms: mass 1, mean 1, the closed-form variance
  for (const weights of ["orthogonal", "gaussian"] as const) {
    const [m0, m1, m2] = contourMomentsOf("hard-tanh", 0.5, weights, 8, 30);
    const theory = jacobianMoments(criticalPoint(act, 0.5), weights, 8);
    assertAlmostEquals(m0, 1, 1e-6);
    assertAlmostEquals(m1, 1, 1e-6);
    assertAlmostEquals(m2 - m1 * m1, theory.variance, 1e-6 * Math.max(1, theory.variance));
  }
});

Deno.test("isometry, train_steps: the isometric start learns MNIST in steps the others need many more for", async () => {
  // 30 SGD steps of four 16 × 128 nets (≈ 8 s): the orthogonal tanh net at q* = 1/64 is ahead
  // of each of the other three by at least 0.15 in held-out accuracy (seen: 0.65 against 0.43
  // Gaussian tanh, 0.12 and 0.10; a broken start, or a trainer that does not train, closes it)
  const rows = await pipelineRows(
    isometry,
    { depth: 2, width: 20, draws: 1, train_steps: 30 },
    "speed",
  );
  assert(rows.at(-1)!.status === "ok", `run ended ${rows.at(-1)!.status}`);
  const last = new Map<string, number>();
  for (const r of rows.filter((r) => r.stream === "training")) {
    const a = r.accuracy as number;
    assert(a >= 0 && a <= 1, `accuracy ${a}`);
    last.set(r.config as string, a);
  }
  assert(last.size === 4, `configs: ${[...last.keys()]}`);
  const iso = last.get("orthogonal tanh, q* = 1/64")!;
  for (const [config, a] of last) {
    if (config !== "orthogonal tanh, q* = 1/64") {
      assert(iso > a + 0.15, `${config}: ${a}, isometric ${iso}`);
    }
  }
});

Deno.test("jacobianEdge(): (L+1)^{L+1}/L^L for linear Gaussian nets; the sampled largest eigenvalue near it", () => {
  const lin = activation("linear");
  const p = criticalPoint(lin, 1);
  for (const L of [1, 2, 4, 16]) {
    assertAlmostEquals(
      jacobianEdge(lin, p, "gaussian", L),
      (L + 1) ** (L + 1) / L ** L,
      1e-9 * L ** 2,
    );
  }
  // orthogonal tanh at q* = 1/64, depth 16: two networks of width 200; the largest of 200
  // eigenvalues sits within a few % of the edge (Tracy–Widom scale N^{−2/3} ≈ 3%): 10%
  const act = activation("tanh");
  const q = criticalPoint(act, 1 / 64);
  const edge = jacobianEdge(act, q, "orthogonal", 16);
  sampleJacobianSpectra(act, q, "orthogonal", 200, [16], new Rng(3), (_d, ev) => {
    assertAlmostEquals(ev[ev.length - 1], edge, 0.1 * edge);
  });
});
