import { assert, assertAlmostEquals } from "./assert.ts";
import {
  criticalEnergy,
  density,
  index,
  integrateDensity,
  lowerEdge,
} from "../src/landscape/pennington_bahri.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";
import { Rng } from "../src/random/rng.ts";

Deno.test("Pennington–Bahri: ε_c(φ) is where the free sum's lower edge reaches 0", () => {
  // Independent of the closed form: the edge is found by bisection on where the
  // cubic first has complex roots. 1e-9 is bisection and rounding, far below ε_c's size.
  for (const phi of [0.05, 0.2, 0.5, 0.8]) {
    const ec = criticalEnergy(phi);
    assert(ec > 0);
    assertAlmostEquals(lowerEdge(phi, ec), 0, 1e-7, `edge at ε_c(${phi})`);
    assert(lowerEdge(phi, ec * 0.9) > 0, "below ε_c the spectrum is positive");
    assert(lowerEdge(phi, ec * 1.1) < 0, "above ε_c it is not");
    assertAlmostEquals(index(phi, ec * 0.9), 0, 0);
    assert(index(phi, ec * 1.1) > 0);
  }
  // φ → 0: H0 → δ(λ − 1) and the semicircle of radius 2√(2ε) touches 0 at ε = 1/8
  assertAlmostEquals(criticalEnergy(0), 1 / 8, 1e-15);
  assertAlmostEquals(criticalEnergy(1), 0, 1e-15);
  assertAlmostEquals(criticalEnergy(2), 0, 0);
});

Deno.test("Pennington–Bahri: the density is normalised and reduces to Marchenko–Pastur at ε = 0", () => {
  // Simpson on square-root edges converges as h^{3/2}: 4,000 panels over ~10 units → ~1e-5.
  for (const [phi, eps] of [[0.5, 0.1], [0.3, 0.02], [0.9, 0.3]]) {
    const r = 2 * Math.sqrt(2 * eps);
    const total = integrateDensity(
      -r * 1.0001,
      (1 + Math.sqrt(phi)) ** 2 + r * 1.0001,
      phi,
      eps,
      20000,
    );
    assertAlmostEquals(total, 1, 1e-4, `∫ρ at φ=${phi}, ε=${eps}`);
  }
  // MP with ratio φ < 1, mean 1: ρ(λ) = √((λ₊ − λ)(λ − λ₋)) / (2πφλ)
  const phi = 0.4;
  const [lm, lp] = [(1 - Math.sqrt(phi)) ** 2, (1 + Math.sqrt(phi)) ** 2];
  for (const l of [0.2, 0.7, 1.5, 2.3]) {
    const mp = Math.sqrt((lp - l) * (l - lm)) / (2 * Math.PI * phi * l);
    assertAlmostEquals(density(l, phi, 0), mp, 1e-12);
  }
});

Deno.test("Pennington–Bahri: α(ε) matches sampled Wishart + Wigner matrices", () => {
  // n = 400 and 2 draws: the fraction negative fluctuates by O(1/n) around α and the soft
  // edge moves by O(n^{-2/3}) ≈ 0.02 of its width; measured off by 0.001 here, so 0.01 is
  // a safe bound, while a wrong variance (σ² = ε instead of 2ε) is off by 0.04–0.055.
  const n = 400;
  const phi = 0.5;
  const m = Math.round(n / phi);
  const rng = new Rng(7);
  for (const eps of [0.05, 0.15]) {
    let negative = 0;
    const draws = 2;
    for (let d = 0; d < draws; d++) {
      const x = new Float64Array(n * m);
      rng.fillNormal(x);
      const h = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          let s = 0;
          for (let k = 0; k < m; k++) s += x[i * m + k] * x[j * m + k];
          h[i * n + j] = h[j * n + i] = s / m;
        }
      }
      const sd = Math.sqrt((2 * eps) / n);
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          const w = rng.normal() * sd * (i === j ? Math.SQRT2 : 1);
          h[i * n + j] += w;
          if (i !== j) h[j * n + i] += w;
        }
      }
      negative += symmetricEigen(h, n).values.filter((v) => v < 0).length;
    }
    const sampled = negative / (n * draws);
    assertAlmostEquals(sampled, index(phi, eps), 0.01, `α at ε = ${eps}`);
  }
});
