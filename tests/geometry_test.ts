/**
 * The geometry of deep random networks (src/geometry; THEORY.md §1): exact derivatives
 * against finite differences, the curve's and the patch's measurements on the input against
 * closed forms, and one wide network against the mean-field recursions of src/signal.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { activation, type ActivationName } from "../src/signal/activations.ts";
import { chi1At, chi2At, fixedPoint, qStar } from "../src/signal/fixed_point.ts";
import { forwardJets, type Jets, type LayerJets } from "../src/geometry/jets.ts";
import { greatCircle } from "../src/geometry/inputs.ts";
import { curvatureFixedPoint, curveStats, curveTheory } from "../src/geometry/curve.ts";
import { curvePca, evenIndices, pcaTheory } from "../src/geometry/pca.ts";
import {
  distancePairs,
  distanceTheory,
  metricStats,
  metricTheory,
  pairDistances,
  spherePatch,
} from "../src/geometry/metric.ts";
import { sweepWidths } from "../pipelines/neurodynamics.ts";
import greatCirclePipeline from "../pipelines/great_circle.ts";
import { ParamError } from "../src/params/schema.ts";

const tick = () => Promise.resolve();
const TANH = activation("tanh");

async function layers(
  act: ActivationName,
  sigma_w2: number,
  sigma_b2: number,
  width: number,
  depth: number,
  input: (rng: Rng) => Jets,
  seed = 1,
): Promise<LayerJets[]> {
  const { tf } = await useBackend("wasm");
  const rng = new Rng(seed);
  const out: LayerJets[] = [];
  const spec = { activation: act, sigma_w2, sigma_b2, width, depth };
  for await (const j of forwardJets(tf, spec, input(rng), rng, tick)) out.push(j);
  return out;
}

Deno.test("chi2At(): erf against its closed form σw² (16/π) q (1 + 4q)^(−3/2)", () => {
  // φ'' = −(4/√π) x e^{−x²}: E φ''(√q z)² = (16/π) q E z² e^{−2qz²} = (16/π) q (1 + 4q)^{−3/2}
  const m = { act: activation("erf"), sigma_w2: 2.5, sigma_b2: 0.1 };
  for (const q of [0.1, 1, 3]) {
    // Gauss–Hermite on a Gaussian narrowed to variance 1/(1 + 4q): 1e-10 at q = 3
    const exact = 2.5 * (16 / Math.PI) * q * Math.pow(1 + 4 * q, -1.5);
    assertAlmostEquals(chi2At(m, q), exact, 1e-9 * exact);
  }
  assertEquals(chi2At({ ...m, act: activation("linear") }, 1), 0);
});

Deno.test("forwardJets(): the tangent and second derivative are the finite differences of the points", async () => {
  // Three circles, θ − ε, θ, θ + ε, through one net: central differences agree with the
  // forward-mode derivatives to O(ε²) ≈ 1e-4 plus float32 rounding over ε (≈ 1e-5) and ε²
  // (≈ 1e-3 for the second difference).
  const n = 64, points = 12, eps = 1e-2, q = 1;
  const run = (shift: number) =>
    layers("tanh", 3, 0.1, n, 3, (rng) => {
      const c = greatCircle(rng, n, q, points);
      // rotate the circle by `shift` in θ: h(θ + s) = h cos s + v sin s (for the input circle)
      const h = c.h.map((x, i) => x * Math.cos(shift) + c.v[i] * Math.sin(shift));
      const v = c.v.map((x, i) => x * Math.cos(shift) - c.h[i] * Math.sin(shift));
      return { h, v, a: h.map((x) => -x) };
    });
  const [minus, mid, plus] = [await run(-eps), await run(0), await run(eps)];
  const last = mid.length - 1;
  let vErr = 0, aErr = 0, vMax = 0, aMax = 0;
  for (let i = 0; i < n * points; i++) {
    const fd1 = (plus[last].h[i] - minus[last].h[i]) / (2 * eps);
    const fd2 = (plus[last].h[i] - 2 * mid[last].h[i] + minus[last].h[i]) / (eps * eps);
    vErr = Math.max(vErr, Math.abs(fd1 - mid[last].v![i]));
    aErr = Math.max(aErr, Math.abs(fd2 - mid[last].a![i]));
    vMax = Math.max(vMax, Math.abs(mid[last].v![i]));
    aMax = Math.max(aMax, Math.abs(mid[last].a![i]));
  }
  assert(vErr < 2e-3 * vMax, `tangent: ${vErr} against ${vMax}`);
  assert(aErr < 2e-2 * aMax, `second derivative: ${aErr} against ${aMax}`);
});

Deno.test("curveStats() on the input circle: length 2π√q, curvature 1, Grassmannian length 2π", () => {
  const n = 300, q = 1.7;
  const c = greatCircle(new Rng(3), n, q, 100);
  const s = curveStats(0, c.v, c.a, n, q);
  assertAlmostEquals(s.length, 2 * Math.PI * Math.sqrt(q), 1e-5);
  assertAlmostEquals(s.curvature, 1, 1e-5);
  assertAlmostEquals(s.grassmannian_length, 2 * Math.PI, 1e-5);
});

Deno.test("curveTheory(): a linear net only stretches, so κ̄_l = χ1^(−l/2) and the turning stays 2π", () => {
  const m = { act: activation("linear"), sigma_w2: 0.8, sigma_b2: 0.2 };
  const q = qStar(m)!;
  assertAlmostEquals(q, 0.2 / 0.2, 1e-12); // q* = σb²/(1 − σw²)
  for (const r of curveTheory(m, 10)) {
    assertAlmostEquals(r.length, 2 * Math.PI * Math.sqrt(q) * Math.pow(0.8, r.layer / 2), 1e-12);
    assertAlmostEquals(r.curvature, Math.pow(0.8, -r.layer / 2), 1e-9);
    assertAlmostEquals(r.grassmannian_length, 2 * Math.PI, 1e-9);
  }
});

Deno.test("a width-2000 chaotic net: length × √χ1 a layer, curvature on the recursion (with q* in χ2's term)", async () => {
  // tanh σw² = 4, σb² = 0.3: q* = 2.55, χ1 = 1.257, κ̄* = 4.66. The curve's squared speed
  // at each θ is a sum over N units, fluctuating by √(2/N) ≈ 3% a layer; 64 points that
  // decorrelate as the curve folds average much of it away. Measured across seeds: the
  // per-layer growth within 0.5% of √χ1, the curvature within 3% of the recursion.
  const m = { act: TANH, sigma_w2: 4, sigma_b2: 0.3 };
  const q = qStar(m)!, chi1 = chi1At(m, q);
  const depth = 15, n = 2000;
  const sim = (await layers("tanh", 4, 0.3, n, depth, (rng) => greatCircle(rng, n, q, 64)))
    .map((j) => curveStats(j.layer, j.v!, j.a!, n, q));
  const theory = curveTheory(m, depth);
  const growth = Math.pow(sim[depth].length / sim[0].length, 1 / depth);
  assertAlmostEquals(growth, Math.sqrt(chi1), 0.015 * Math.sqrt(chi1), `growth ${growth}`);
  for (let l = 5; l <= depth; l++) {
    const t = theory[l].curvature;
    assertAlmostEquals(sim[l].curvature, t, 0.06 * t, `layer ${l}: ${sim[l].curvature} vs ${t}`);
  }
  // the recursion's fixed point is the closed form (its error shrinks by 1/χ1 = 0.8 a layer)
  const kStar = curvatureFixedPoint(m)!;
  assertAlmostEquals(curveTheory(m, 200)[200].curvature, kStar, 1e-12 * kStar);
  // THEORY.md's source term 3χ2/χ1² without q* would settle at κ̄* / √q* ≈ 2.9: far off
  const without = Math.sqrt((3 * chi2At(m, q)) / (chi1 * (chi1 - 1)));
  assert(Math.abs(sim[depth].curvature - without) > 0.25 * without);
  // and the Grassmannian length grows exponentially, as its theory
  const g = theory[depth].grassmannian_length;
  assertAlmostEquals(sim[depth].grassmannian_length, g, 0.08 * g);
});

Deno.test("an ordered net: the circle shrinks by √χ1 a layer and its curvature grows as 1/√χ1", async () => {
  const m = { act: TANH, sigma_w2: 1.2, sigma_b2: 0.3 };
  const q = qStar(m)!;
  const depth = 8, n = 1000;
  const sim = (await layers("tanh", 1.2, 0.3, n, depth, (rng) => greatCircle(rng, n, q, 64), 5))
    .map((j) => curveStats(j.layer, j.v!, j.a!, n, q));
  const theory = curveTheory(m, depth);
  // measured within 3% (length) and 5% (curvature) at this size; twice that allowed
  assertAlmostEquals(sim[depth].length, theory[depth].length, 0.06 * theory[depth].length);
  assertAlmostEquals(sim[depth].curvature, theory[depth].curvature, 0.1 * theory[depth].curvature);
  assert(sim[depth].length < 0.3 * sim[0].length);
});

Deno.test("curvePca() of the input circle: two components of half the variance each, radius √q", () => {
  const n = 200, q = 2;
  const c = greatCircle(new Rng(9), n, q, 60);
  const pca = curvePca(c.h, n, evenIndices(60), 4);
  assertAlmostEquals(pca.fractions[0], 0.5, 1e-6);
  assertAlmostEquals(pca.fractions[1], 0.5, 1e-6);
  assert(pca.fractions[2] < 1e-6);
  for (const [x, y, z] of pca.coords) {
    assertAlmostEquals(Math.hypot(x, y), Math.sqrt(q), 1e-5);
    assert(Math.abs(z) < 1e-4);
  }
});

Deno.test("pcaTheory(): a linear net keeps the circle a circle, tanh spreads the variance (against one net)", async () => {
  // Linear: c' = (σw² q* c + σb²)/q*, affine in cos Δθ, so after centring only frequency 1 is
  // left: [½, ½, 0, …] at every layer.
  const lin = pcaTheory({ act: activation("linear"), sigma_w2: 0.8, sigma_b2: 0.2 }, 5, 64, 3);
  for (const f of lin) {
    assertAlmostEquals(f[0], 0.5, 1e-9);
    assertAlmostEquals(f[1], 0.5, 1e-9);
    assertAlmostEquals(f[2], 0, 1e-9);
  }
  // tanh in the chaotic phase, one width-1000 net: the first pair's share falls as theory's.
  // A finite net splits the pair (measured 0.47/0.42 at layer 8 against 0.26/0.26 each ×2…);
  // their sum is within 0.02 of theory across seeds; 0.05 allowed.
  const m = { act: TANH, sigma_w2: 4, sigma_b2: 0.3 };
  const q = qStar(m)!;
  const depth = 8, n = 1000, points = 128;
  const theory = pcaTheory(m, depth, points, 4);
  const sim = await layers("tanh", 4, 0.3, n, depth, (rng) => greatCircle(rng, n, q, points));
  const last = curvePca(sim[depth].h, n, evenIndices(points), 4);
  const pair = (f: number[]) => f[0] + f[1];
  assertAlmostEquals(pair(last.fractions), pair(theory[depth]), 0.05);
  assert(pair(theory[depth]) < 0.6, `the circle has spread: ${pair(theory[depth])}`);
});

Deno.test("metricStats() of the input patch: the identity, both eigenvalues 1", () => {
  const p = spherePatch(new Rng(2), 100, 1.3, 10);
  const s = metricStats(p.v, 100, 1.3);
  assertAlmostEquals(s.eig_min, 1, 1e-5);
  assertAlmostEquals(s.eig_max, 1, 1e-5);
  assert(s.spread < 1e-5);
});

Deno.test("the pullback metric is conformal: both eigenvalues ≈ χ1^l, their spread ∝ 1/√N as derived", async () => {
  // tanh σw² = 4, σb² = 0.05 (χ1 = 1.34), 6 layers, 48 points of the patch. The mean
  // eigenvalue is within 4% of χ1^l at N = 2000 (measured 1–2%); the spread's derived mean
  // √(2πLκ4/N) is first order in 1/N: measured within 10% at N = 2000 and 15% at 500.
  const m = { act: TANH, sigma_w2: 4, sigma_b2: 0.05 };
  const q = qStar(m)!;
  const depth = 6;
  const theory = metricTheory(m);
  const spread: number[] = [];
  for (const n of [500, 2000]) {
    const sim = await layers("tanh", 4, 0.05, n, depth, (rng) => spherePatch(rng, n, q, 48), n);
    const s = metricStats(sim[depth].v!, n, q);
    if (n === 2000) {
      assertAlmostEquals(s.mean, theory.factor(depth), 0.04 * theory.factor(depth));
      assert(s.eig_min < theory.factor(depth) && theory.factor(depth) < s.eig_max);
    }
    const t = theory.spread(depth, n);
    assertAlmostEquals(s.spread, t, 0.25 * t, `N = ${n}: spread ${s.spread} against ${t}`);
    spread.push(s.spread);
  }
  // four times the width, half the spread
  assertAlmostEquals(spread[0] / spread[1], 2, 0.5);
});

Deno.test("distances follow the correlation map: pairs at every start go to one value when chaotic", async () => {
  const m = { act: TANH, sigma_w2: 4, sigma_b2: 0.05 };
  const q = qStar(m)!;
  const d0 = [0.5, 1, 3], per = 8, n = 1500, depth = 24;
  const sim = await layers("tanh", 4, 0.05, n, depth, (rng) => ({
    h: distancePairs(rng, n, q, d0, per),
  }));
  const theory = distanceTheory(m, d0, depth);
  for (const j of sim) {
    const d = pairDistances(j.h, n, q, d0.length, per);
    // Every pair sees the same network, so its own fluctuation (its q_l off q* by ≈ √(2/N)
    // ≈ 4%) is not averaged away by more pairs: measured worst 4–7% over 13 layers across
    // seeds 1–4 (12 layers); 12% allowed
    for (let g = 0; g < d0.length; g++) {
      const t = theory[g][j.layer];
      assertAlmostEquals(d[g], t, 0.12 * t, `layer ${j.layer}, d0 ${d0[g]}`);
    }
  }
  // equidistance: the pairs started 2.5 apart end within a fifth of that of 2(1 − c*) = 1.67
  const end = pairDistances(sim[depth].h, n, q, d0.length, per);
  assert(Math.max(...end) - Math.min(...end) < 0.5, `equidistance: ${end}`);
  const equal = 2 * (1 - fixedPoint(m).c_star!);
  for (const d of end) assertAlmostEquals(d, equal, 0.25);
});

Deno.test("sweepWidths(): log-spaced widths to two figures, ending at the widest", () => {
  assertEquals(sweepWidths(100, 3000, 4), [100, 310, 970, 3000]);
  assertEquals(sweepWidths(100, 3000, 1), [3000]);
});

Deno.test("great-circle: a start with no circle to follow is a ParamError naming the param", () => {
  const base = { activation: "tanh", sigma_w2: 0.5, sigma_b2: 0, width: 100, depth: 3, points: 20 };
  const err = (p: Record<string, unknown>) => {
    try {
      greatCirclePipeline.check!(p as never);
    } catch (e) {
      return e;
    }
    return null;
  };
  const e = err(base);
  assert(e instanceof ParamError && e.param === "sigma_b2", String(e));
  const lin = err({ ...base, activation: "linear", sigma_w2: 2, sigma_b2: 0.1 });
  assert(lin instanceof ParamError && lin.param === "sigma_w2", String(lin));
  assertEquals(err({ ...base, sigma_b2: 0.1 }), null);
});
