/**
 * The semantic-cognition science (src/semantic) against independent references: the net's
 * step against finite differences of its loss, the net from a balanced start against the
 * exact mode recursion, the induction probes against their minimum-norm closed forms, the
 * coherence designs' singular values against r√(N/K), and the rank statistics by hand.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { ParamError } from "../src/params/schema.ts";
import semanticCognition from "../pipelines/semantic_cognition.ts";
import { DeepLinearNet } from "../src/semantic/net.ts";
import { ModeTheory } from "../src/semantic/theory.ts";
import {
  coherence,
  COHERENCE_DESIGNS,
  coherenceEnvironment,
  semanticEnvironment,
  typicalityEnvironment,
} from "../src/semantic/environments.ts";
import { categoryModes, firstReaching, IllusionTracker } from "../src/semantic/phenomena.ts";
import { ranks, spearman } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";
import { randomOrthogonal } from "../src/linear/init.ts";

const loss = (net: DeepLinearNet, y: Float64Array) => {
  const w = net.total();
  return w.reduce((s, x, q) => s + (y[q] - x) ** 2 / 2, 0);
};

Deno.test("DeepLinearNet.step: each layer moves by −λ ∂L/∂W (central differences, depth 3)", () => {
  // L is a polynomial of degree 6 in the weights; central differences at h = 1e-5 err by
  // ≈ h² · L''' ≈ 1e-10 of an O(1) gradient, so 1e-7 leaves room for rounding
  const rng = new Rng(3);
  const dims = [5, 4, 3, 6];
  const net = new DeepLinearNet(dims, 0.5, rng);
  const y = Float64Array.from({ length: 6 * 5 }, () => rng.normal());
  const before = net.weights.map((w) => w.slice());
  const grads = net.weights.map((w) =>
    Float64Array.from(w, (_, q) => {
      const x = w[q], h = 1e-5;
      w[q] = x + h;
      const up = loss(net, y);
      w[q] = x - h;
      const down = loss(net, y);
      w[q] = x;
      return (up - down) / (2 * h);
    })
  );
  const lr = 0.01;
  net.step(y, lr);
  net.weights.forEach((w, l) => {
    for (let q = 0; q < w.length; q++) {
      assertAlmostEquals(w[q] - before[l][q], -lr * grads[l][q], 1e-7, `W${l + 1}[${q}]`);
    }
  });
});

/** A net whose layers carry A^{1/D} of each mode of y: W_1 = R_1 a^{1/D} Vᵀ, …, W_D = U a^{1/D} R_{D−1}ᵀ. */
function balancedNet(theory: ModeTheory, hidden: number, a0: number, rng: Rng): DeepLinearNet {
  const { k, u, v, depth, features, items } = theory;
  const dims = [items, ...Array(depth - 1).fill(hidden), features];
  const net = new DeepLinearNet(dims, 0, rng);
  const g = a0 ** (1 / depth);
  // orthonormal frames per hidden layer (hidden × k); the ends are V and U
  const frames = [
    v,
    ...Array.from({ length: depth - 1 }, () => randomOrthogonal(hidden, k, rng)),
    u,
  ];
  for (let l = 1; l <= depth; l++) {
    const w = net.weights[l - 1], nOut = dims[l], nIn = dims[l - 1];
    for (let i = 0; i < nOut; i++) {
      for (let j = 0; j < nIn; j++) {
        let x = 0;
        for (let a = 0; a < k; a++) x += frames[l][i * k + a] * g * frames[l - 1][j * k + a];
        w[i * nIn + j] = x;
      }
    }
  }
  return net;
}

Deno.test("a net from a balanced decoupled start follows the exact mode recursion (semantic set, depths 2 and 3)", () => {
  // from a balanced start gradient descent keeps every mode decoupled, so Ŷ(t) = U A(t) Vᵀ with
  // A(t) the recursion's: agreement to rounding (1e-9 of predictions of O(1)) for 400 steps
  const env = semanticEnvironment();
  for (const depth of [2, 3]) {
    const [lr, steps, a0] = [0.01, 400, 1e-3];
    const theory = new ModeTheory(
      env.y,
      env.features.length,
      env.items.length,
      depth,
      lr,
      steps,
      a0,
    );
    const net = balancedNet(theory, 12, a0, new Rng(depth));
    for (let t = 0; t <= steps; t++) {
      if (t % 100 === 0) {
        const sim = net.total(), th = theory.prediction(t);
        for (let q = 0; q < sim.length; q++) {
          assertAlmostEquals(sim[q], th[q], 1e-9, `depth ${depth}, step ${t}, entry ${q}`);
        }
        // and the induction probes, fitted by gradient descent, against the theory's closed forms
        const f = env.features.indexOf("has feathers"), g = env.items.indexOf("robin");
        if (t > 0) {
          const item = net.novelItem(f, 1), itemTh = theory.novelItem(t, f);
          const prop = net.novelProperty(g), propTh = theory.novelProperty(t, g);
          for (let i = 0; i < item.length; i++) {
            assertAlmostEquals(item[i], itemTh[i], 1e-9, `novel item ${i}`);
          }
          for (let m = 0; m < prop.length; m++) {
            assertAlmostEquals(prop[m], propTh[m], 1e-9, `novel property ${m}`);
          }
        }
      }
      net.step(env.y, lr);
    }
  }
});

Deno.test("the induction probes are the minimum-norm fits (any net): W W_fᵀ/‖W_f‖² and h_gᵀh_μ/‖h_g‖²", () => {
  const rng = new Rng(11);
  const net = new DeepLinearNet([6, 5, 7], 0.7, rng);
  const [w2] = net.weights.slice(-1), nh = 5;
  const f = 3, item = net.novelItem(f, 1);
  const row = w2.subarray(f * nh, (f + 1) * nh);
  const n2 = row.reduce((s, x) => s + x * x, 0);
  for (let i = 0; i < 7; i++) {
    let x = 0;
    for (let j = 0; j < nh; j++) x += w2[i * nh + j] * row[j];
    assertAlmostEquals(item[i], x / n2, 1e-12, `feature ${i}`);
  }
  assertAlmostEquals(item[f], 1, 1e-12, "the told fact is fitted");
  const h = net.hidden(), g = 2, prop = net.novelProperty(g);
  const col = (m: number) => Array.from({ length: nh }, (_, j) => h[j * 6 + m]);
  const hg = col(g), hg2 = hg.reduce((s, x) => s + x * x, 0);
  for (let m = 0; m < 6; m++) {
    const dot = col(m).reduce((s, x, j) => s + x * hg[j], 0);
    assertAlmostEquals(prop[m], dot / hg2, 1e-12, `item ${m}`);
  }
});

Deno.test("coherence designs: without flips each category's singular value is its coherence r√(N/K) exactly", () => {
  const env = coherenceEnvironment(COHERENCE_DESIGNS, 0, new Rng(1));
  const modes = categoryModes(env);
  COHERENCE_DESIGNS.forEach((d, c) => {
    assertEquals(d.items * d.perItem % d.features, 0, `${d.name} is balanced`);
    assertAlmostEquals(modes[c].s, coherence(d), 1e-12, d.name);
    // every member has r features, every feature N r / K members
    const { item0, feature0 } = env.blocks[c], p = env.items.length;
    for (let j = 0; j < d.items; j++) {
      let n = 0;
      for (let f = 0; f < d.features; f++) n += env.y[(feature0 + f) * p + item0 + j];
      assertEquals(n, d.perItem, `${d.name}${j + 1}'s features`);
    }
  });
  // with flips the blocks change, and so (a little) do the singular values
  const noisy = categoryModes(coherenceEnvironment(COHERENCE_DESIGNS, 0.05, new Rng(1)));
  assert(noisy.some((m, c) => Math.abs(m.s - modes[c].s) > 1e-6), "flips move the singular values");
});

Deno.test("typicality environment: member k has 12 − k of the category's features, one ISA each", () => {
  const env = typicalityEnvironment(), p = env.items.length;
  for (let k = 0; k < 8; k++) {
    let n = 0;
    for (let f = 1; f <= 12; f++) n += env.y[env.features.indexOf(`bird feature ${f}`) * p + k];
    assertEquals(n, 12 - k, env.items[k]);
    assertEquals(env.y[env.features.indexOf("ISA bird") * p + k], 1);
  }
});

Deno.test("spearman and ranks: by hand, with ties given their mean rank", () => {
  assertEquals(ranks([10, 30, 20, 20]), [1, 4, 2.5, 2.5]);
  assertAlmostEquals(spearman([1, 2, 3, 4], [2, 4, 6, 9]), 1, 1e-15);
  assertAlmostEquals(spearman([1, 2, 3, 4], [9, 6, 4, 2]), -1, 1e-15);
  // one adjacent swap in four: 1 − 6 Σd²/(n(n² − 1)) = 1 − 6·2/60 = 0.8
  assertAlmostEquals(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 0.8, 1e-15);
});

Deno.test("firstReaching interpolates the crossing; IllusionTracker keeps rises that fall back", () => {
  assertEquals(firstReaching([0, 10, 20], [0, 0.4, 0.8], 0.6), 15);
  assertEquals(firstReaching([0, 10], [0, 0.4], 0.6), null);
  const env = { items: ["a", "b"], features: ["x"], y: Float64Array.of(0, 0) };
  const t = new IllusionTracker(env);
  // a rises to 0.3 and falls to 0.05; b rises to 0.3 and stays (a belief, not an illusion)
  [[0, 0], [0.3, 0.3], [0.05, 0.29]].forEach(([a, b], step) => t.see(step, Float64Array.of(a, b)));
  const found = t.illusions();
  assertEquals(found.length, 1);
  assertEquals([found[0].item, found[0].peak, found[0].peak_step], ["a", 0.3, 1]);
});

Deno.test("semantic-cognition params: a start that is not small is refused naming init_std", () => {
  // (σ√h)^D ≥ 0.1 puts modes near their s from the start: no stages to see, no theory to draw
  const e = assertThrows(
    () => resolveRunParams(semanticCognition, { init_std: 0.3 }),
    ParamError,
    "init_std",
  );
  assert(e.message.includes("0.0559"), e.message); // the largest allowed at hidden 32, depth 2
  resolveRunParams(semanticCognition, { init_std: 0.05 }); // (0.05 √32)² = 0.08: allowed
});
