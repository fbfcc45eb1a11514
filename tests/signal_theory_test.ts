import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { type Activation, activation } from "../src/signal/activations.ts";
import {
  covarianceMap,
  lengthMap,
  lengthMapSlope,
  meanSquare,
  pairMean,
  propagate,
} from "../src/signal/maps.ts";
import { correlationMap, fixedPoint, qStar } from "../src/signal/fixed_point.ts";
import { mehlerCoefficients, mehlerSeries } from "../src/signal/mehler.ts";
import { criticalSigmaW2 } from "../src/signal/critical_line.ts";

// 180-node Gauss–Hermite on φ(√q z) for q ≤ 4: measured ≤ 1e-10 against the
// erf closed form (it degrades as φ steepens with q: 6e-10 at q = 5); 1e-9
// leaves room for sums of 3·10^4 terms in 2-D.
const QUAD_TOL = 1e-9;
// Fixed points are found by Brent's method to 1e-14 in the variable; the maps'
// values then agree to rounding of the quadrature above.
const FIXED_TOL = 1e-10;

/** erf with its closed forms removed, so the generic quadrature path runs. */
const erfByQuadrature: Activation = { ...activation("erf"), pair: undefined, pairSlope: undefined };
const tanh = activation("tanh");
const relu = activation("relu");

Deno.test("meanSquare() by 1-D quadrature matches the erf closed form", () => {
  for (const q of [0.01, 0.5, 1, 2.5, 4]) {
    assertAlmostEquals(meanSquare(erfByQuadrature, q), meanSquare(activation("erf"), q), QUAD_TOL);
  }
});

Deno.test("pairMean() by 2-D quadrature matches the erf arcsin kernel", () => {
  for (const [q11, q22, c] of [[1, 1, 0.3], [0.5, 2, -0.7], [3, 0.2, 0.95], [1, 1, 0]]) {
    const q12 = c * Math.sqrt(q11 * q22);
    assertAlmostEquals(
      pairMean(erfByQuadrature, q11, q22, q12),
      pairMean(activation("erf"), q11, q22, q12),
      QUAD_TOL,
    );
  }
});

Deno.test("relu pair kernel has its exact limits at c = 1, 0, −1", () => {
  const q = 2.5;
  assertAlmostEquals(relu.pair!(q, q, q), q / 2, 1e-15); // E relu(u)² = q/2
  assertAlmostEquals(relu.pair!(q, q, 0), q / (2 * Math.PI), 1e-15); // (E relu(u))² = q/2π
  assertAlmostEquals(relu.pair!(q, q, -q), 0, 1e-15);
  assertAlmostEquals(relu.pairSlope!(q, q, q), 0.5, 1e-15);
});

Deno.test("relu pair kernel matches 2-D quadrature away from its kink to quadrature's accuracy there", () => {
  // Gauss–Hermite is only algebraically accurate at a kink: 1e-3 is what 100 nodes give.
  const reluByQuadrature: Activation = { ...relu, pair: undefined };
  const q12 = 0.4;
  assertAlmostEquals(pairMean(reluByQuadrature, 1, 1, q12), relu.pair!(1, 1, q12), 1e-3);
});

Deno.test("mehlerSeries() matches 2-D quadrature for tanh and the closed form for erf", () => {
  for (const q of [0.05, 0.7, 2.5]) {
    const s = Math.sqrt(q);
    const bTanh = mehlerCoefficients((z) => Math.tanh(s * z));
    const bErf = mehlerCoefficients((z) => activation("erf").phi(s * z));
    for (const c of [-0.9, -0.2, 0, 0.5, 0.99, 1]) {
      assertAlmostEquals(
        mehlerSeries(bTanh, c).value,
        pairMean(tanh, q, q, c * q),
        QUAD_TOL,
        `tanh q=${q} c=${c}`,
      );
      assertAlmostEquals(
        mehlerSeries(bErf, c).value,
        activation("erf").pair!(q, q, c * q),
        QUAD_TOL,
        `erf q=${q} c=${c}`,
      );
    }
  }
});

Deno.test("correlationMap() slope equals σw² E φ'(u1)φ'(u2) (Price's theorem), Mehler vs erf closed form", () => {
  const m = { act: erfByQuadrature, sigma_w2: 2, sigma_b2: 0.1 };
  const exact = { ...m, act: activation("erf") };
  const q = qStar(exact)!;
  const viaSeries = correlationMap(m, q);
  const viaClosed = correlationMap(exact, q);
  for (const c of [0, 0.4, 0.9]) {
    assertAlmostEquals(viaSeries(c).value, viaClosed(c).value, QUAD_TOL);
    assertAlmostEquals(viaSeries(c).slope, viaClosed(c).slope, 1e-9);
  }
});

Deno.test("fixedPoint(): tanh at σb² = 0 has q* = 0 and χ1 = σw², critical at σw² = 1", () => {
  for (const w of [0.5, 0.9, 1]) {
    const fp = fixedPoint({ act: tanh, sigma_w2: w, sigma_b2: 0 });
    assertEquals(fp.q_star, 0);
    assertAlmostEquals(fp.chi1, w, 1e-14); // weights sum to 1 within rounding
    assertEquals(fp.phase, "ordered");
  }
  assertEquals(fixedPoint({ act: tanh, sigma_w2: 1, sigma_b2: 0 }).xi_c, null); // ξ_c diverges
  const chaotic = fixedPoint({ act: tanh, sigma_w2: 1.5, sigma_b2: 0 });
  assertEquals(chaotic.phase, "chaotic");
  assert(chaotic.q_star! > 0);
  assertAlmostEquals(chaotic.c_star!, 0, 1e-12); // odd φ, no bias: c = 0 is the attractor
});

Deno.test("fixedPoint() solves the length and correlation maps (tanh, erf)", () => {
  for (const act of [tanh, activation("erf")]) {
    for (const [w, b] of [[1.5, 0.05], [3, 0.3], [0.8, 0.2], [4, 0.01]]) {
      const m = { act, sigma_w2: w, sigma_b2: b };
      const fp = fixedPoint(m);
      const q = fp.q_star!;
      assertAlmostEquals(lengthMap(m, q), q, FIXED_TOL);
      const [, , q12] = covarianceMap(m, q, q, fp.c_star! * q);
      assertAlmostEquals(q12 / q, fp.c_star!, FIXED_TOL, `${act.name} ${w} ${b}`);
      assertEquals(fp.phase, fp.chi1 > 1 ? "chaotic" : "ordered");
      if (fp.phase === "chaotic") assert(fp.c_star! < 1 && fp.chi_c! < 1, "c* attracts");
    }
  }
});

Deno.test("fixedPoint(): ReLU has χ1 = σw²/2 and q* = σb²/(1 − σw²/2); unbounded past σw² = 2", () => {
  const fp = fixedPoint({ act: relu, sigma_w2: 1.5, sigma_b2: 0.1 });
  assertAlmostEquals(fp.chi1, 0.75, 1e-15);
  assertAlmostEquals(fp.q_star!, 0.1 / (1 - 0.75), 1e-15);
  assertAlmostEquals(fp.xi_c!, -1 / Math.log(0.75), 1e-12);
  const up = fixedPoint({ act: relu, sigma_w2: 2.5, sigma_b2: 0.1 });
  assertEquals([up.phase, up.q_star, up.xi_c], ["unbounded", null, null]);
  assertAlmostEquals(up.chi1, 1.25, 1e-15);
});

Deno.test("fixedPoint(): erf χ1 = (4/π) σw² / √(1 + 4q*) and ξ_q from the closed-form slope", () => {
  const m = { act: activation("erf"), sigma_w2: 1.7, sigma_b2: 0.2 };
  const fp = fixedPoint(m);
  const q = fp.q_star!;
  assertAlmostEquals(fp.chi1, (4 / Math.PI) * 1.7 / Math.sqrt(1 + 4 * q), 1e-14);
  // d/dq (2/π) arcsin(2q/(1+2q)) = (4/π) / ((1+2q)√(1+4q))
  const slope = 1.7 * (4 / Math.PI) / ((1 + 2 * q) * Math.sqrt(1 + 4 * q));
  assertAlmostEquals(lengthMapSlope(m, q), slope, QUAD_TOL);
  assertAlmostEquals(fp.xi_q!, -1 / Math.log(slope), 1e-8);
});

Deno.test("propagate() converges to q* and c* over depth (tanh, chaotic)", () => {
  const m = { act: tanh, sigma_w2: 2.5, sigma_b2: 0.05 };
  const fp = fixedPoint(m);
  // χ_c ≈ 0.92 here, so the distance to c* shrinks as 0.92^l: 400 layers leave < 1e-14.
  const series = propagate(m, 1, 0.9, 400);
  assertEquals(series.length, 401);
  assertAlmostEquals(series[400].q, fp.q_star!, FIXED_TOL);
  assertAlmostEquals(series[400].c, fp.c_star!, FIXED_TOL);
});

Deno.test("criticalSigmaW2(): tanh at σb² = 0 is critical at σw² = 1; ReLU at 2; erf where χ1 = 1 exactly", () => {
  // Just above σw² = 1 at σb² = 0, q* ≈ (σw² − 1)/2σw² and χ1 − 1 = O((σw² − 1)²): a
  // root exact to rounding in χ1 is good to about √ε ≈ 1e-8 in σw².
  assertAlmostEquals(criticalSigmaW2(tanh, 0, 0.5, 4)!, 1, 1e-7);
  assertAlmostEquals(criticalSigmaW2(relu, 0.3, 0.5, 4)!, 2, 1e-9);
  // On the line, χ1 from the closed form must be 1: an independent check of q* and the root.
  const erfAct = activation("erf");
  const w = criticalSigmaW2(erfAct, 0.1, 0.5, 4)!;
  const q = qStar({ act: erfAct, sigma_w2: w, sigma_b2: 0.1 })!;
  assertAlmostEquals((4 / Math.PI) * w / Math.sqrt(1 + 4 * q), 1, 1e-10);
  // tanh's line rises with σb² (more bias needs more weight variance for chaos).
  assert(criticalSigmaW2(tanh, 0.2, 0.5, 4)! > criticalSigmaW2(tanh, 0.05, 0.5, 4)!);
  assertEquals(criticalSigmaW2(tanh, 0.05, 3, 4), null); // not crossed in [3, 4]
});
