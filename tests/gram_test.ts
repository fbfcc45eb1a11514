import { assert, assertAlmostEquals, assertThrows } from "./assert.ts";
import { type C, gramDensity, type GramShape, gramStieltjes } from "../src/gram/stieltjes.ts";
import { centred, hermiteFamily } from "../src/gram/invariants.ts";
import { sampleGramSpectrum } from "../src/gram/sample.ts";
import { trainErrorSimulated, trainErrorTheory } from "../src/gram/memorization.ts";
import { activation } from "../src/signal/activations.ts";
import { expect1 } from "../src/numerics/gauss_hermite.ts";
import { Rng } from "../src/random/rng.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { contourMoments } from "./helpers/contour.ts";
import gramSpectrum from "../pipelines/gram_spectrum.ts";

/** The law's moments by contour integrals (tests/helpers/contour.ts). */
const contourMomentsOf = (s: GramShape, edge: number) =>
  contourMoments((path) => gramStieltjes(s, path), edge);

Deno.test("gramDensity(): ζ = 0 is Marchenko–Pastur with ratio n1/m and scale η", () => {
  const s = { eta: 2, zeta: 0, phi: 0.5, psi: 1 }; // n1/m = φ/ψ = 0.5
  const c = s.phi / s.psi;
  const a = s.eta * (1 - Math.sqrt(c)) ** 2, b = s.eta * (1 + Math.sqrt(c)) ** 2;
  const grid = [0.3, 1, 2, 3, 4, 5.5];
  const d = gramDensity(s, grid, 1e-9);
  grid.forEach((l, i) =>
    assertAlmostEquals(
      d[i],
      Math.sqrt((b - l) * (l - a)) / (2 * Math.PI * c * s.eta * l),
      1e-6,
      `λ = ${l}`,
    )
  );
});

Deno.test("gramStieltjes(): mass 1 and the closed-form mean and variance (to 1e-9)", () => {
  // Marchenko–Pastur: mean η, variance (n1/m) η²
  const mp = { eta: 1.5, zeta: 0, phi: 0.4, psi: 0.8 };
  const [m0, m1, m2] = contourMomentsOf(mp, 10);
  assertAlmostEquals(m0, 1, 1e-9);
  assertAlmostEquals(m1, 1.5, 1e-9);
  assertAlmostEquals(m2 - m1 * m1, (mp.phi / mp.psi) * 1.5 ** 2, 1e-9);
  // linear f at σ = 1 (η = ζ = 1): a product of two Wisharts, variance n1/m + n1/n0
  const lin = { eta: 1, zeta: 1, phi: 0.6, psi: 0.8 };
  const [l0, l1, l2] = contourMomentsOf(lin, 10);
  assertAlmostEquals(l0, 1, 1e-9);
  assertAlmostEquals(l1, 1, 1e-9);
  assertAlmostEquals(l2 - l1 * l1, lin.phi / lin.psi + 1 / lin.psi, 1e-9);
});

Deno.test("centred() and hermiteFamily(): η and ζ by their definitions", () => {
  const lin = centred(activation("linear"), 1.5);
  assertAlmostEquals(lin.eta, 2.25, 1e-12);
  assertAlmostEquals(lin.zeta, 2.25, 1e-12);
  const relu = centred(activation("relu"), 1);
  assertAlmostEquals(relu.eta, 0.5 - 1 / (2 * Math.PI), 1e-9); // E relu² − (E relu)²
  assertAlmostEquals(relu.zeta, 0.25, 1e-12); // (E step)²
  for (const r of [0, 0.3, 1]) {
    const h = hermiteFamily(r, 2);
    assertAlmostEquals(expect1((z) => h.f(2 * z)), 0, 1e-12); // centred
    assertAlmostEquals(expect1((z) => h.f(2 * z) ** 2), 1, 1e-12); // η = 1
    const slope = expect1((z) => (h.f(2 * z + 1e-6) - h.f(2 * z - 1e-6)) / 2e-6);
    assertAlmostEquals((2 * slope) ** 2, r, 1e-6); // ζ = (σ E f')² = ζ/η
  }
  assertThrows(() => hermiteFamily(1.5, 1), RangeError, "ζ/η must be in [0, 1]");
});

Deno.test("gramStieltjes() against sampled matrices at a complex point", () => {
  // n0 = 300, n1 = 200, m = 400, four draws: 800 eigenvalues; G at z = 1.5η + 0.5ηi averages
  // a bounded function (|1/(z − λ)| ≤ 2/η), Monte Carlo error ≈ 0.01. Finite size adds O(1/n)
  // for odd f but O(1/√n) for the even part of f (hermite: 0.027 at this size, 0.018 at
  // twice it), hence 0.02 and, for hermite, 0.04.
  const rng = new Rng(1);
  const [n0, n1, m] = [300, 200, 400];
  const fs = [
    [centred(activation("tanh"), 1), 0.02],
    [centred(activation("relu"), 1), 0.02],
    [centred(activation("linear"), 1), 0.02],
    [hermiteFamily(0.3, 1), 0.04],
  ] as const;
  for (const [f, tol] of fs) {
    const s = { eta: f.eta, zeta: f.zeta, phi: n0 / m, psi: n0 / n1 };
    const z0: C = [1.5 * f.eta, 0.5 * f.eta];
    const path = Array.from({ length: 80 }, (_, k): C => {
      const u = 1 - k / 79;
      return [z0[0] + 50 * f.eta * u, z0[1] + 10 * f.eta * u];
    });
    const g = gramStieltjes(s, path).at(-1)!;
    let re = 0, im = 0, n = 0;
    for (let d = 0; d < 4; d++) {
      for (const l of sampleGramSpectrum(f, { n0, n1, m, sigmaW2: 1, sigmaX2: 1 }, rng)) {
        const dr = z0[0] - l, den = dr * dr + z0[1] * z0[1];
        re += dr / den;
        im -= z0[1] / den;
        n++;
      }
    }
    assertAlmostEquals(re / n, g[0], tol, `${f.name}: Re G`);
    assertAlmostEquals(im / n, g[1], tol, `${f.name}: Im G`);
  }
});

Deno.test("gram-spectrum pipeline: invariants, the sampled histogram and the density, close to each other", async () => {
  const rows = await pipelineRows(gramSpectrum, { n0: 120, n1: 120, m: 240, draws: 2 }, "gram");
  assert(rows.at(-1)!.status === "ok");
  const inv = rows.find((r) => r.stream === "invariants")!;
  assertAlmostEquals(inv.eta as number, 1, 1e-12);
  assertAlmostEquals(inv.zeta_over_eta as number, 0.25, 1e-12);
  const theory = rows.filter((r) => r.stream === "spectrum" && r.source === "theory");
  // the density on its grid integrates to 1 (the grid covers the spectrum, midpoint rule)
  const h = (theory[1].lambda as number) - (theory[0].lambda as number);
  const mass = theory.reduce((s, r) => s + (r.density as number) * h, 0);
  assertAlmostEquals(mass, 1, 0.02);
  // 240 eigenvalues in 40 bins: sampling noise alone gives a total variation ≈ 0.1
  const fit = rows.find((r) => r.stream === "fit")!;
  assert((fit.total_variation as number) < 0.2, `total variation ${fit.total_variation}`);
  // the memorisation sweep: 6 values of ζ/η × 3 γ × theory and simulation
  assert(rows.filter((r) => r.stream === "memorization").length === 36, "memorisation rows");
});

Deno.test("trainErrorTheory(): the limits, and ridge regression on sampled features agrees", () => {
  const s = { eta: 1, zeta: 0.5, phi: 0.5, psi: 1 }; // n1/m = 1/2
  // γ → ∞ predicts 0: error 1; γ → 0 fits the n1 reachable directions: error 1 − n1/m
  const [small, large] = trainErrorTheory(s, [1e-6, 1e6]);
  assertAlmostEquals(small, 0.5, 1e-4);
  assertAlmostEquals(large, 1, 1e-4);
  // n0 = n1 = 100, m = 200, 64 target vectors: the residual's sampling error ≈ 1.3%, finite
  // size (the even part of f) a few % more: 0.03
  const rng = new Rng(5);
  for (const r of [0, 1]) {
    const gammas = [0.1, 1];
    const theory = trainErrorTheory({ eta: 1, zeta: r, phi: 0.5, psi: 1 }, gammas);
    const sim = trainErrorSimulated(hermiteFamily(r, 1), 100, 100, 200, gammas, rng);
    gammas.forEach((g, i) => assertAlmostEquals(sim[i], theory[i], 0.03, `ζ/η = ${r}, γ = ${g}`));
  }
  // more nonlinear f (smaller ζ/η) memorises better at fixed η
  const byRatio = [0, 0.5, 1].map((r) => trainErrorTheory({ ...s, zeta: r }, [0.1])[0]);
  assert(byRatio[0] < byRatio[1] && byRatio[1] < byRatio[2], `${byRatio}`);
});
