/**
 * deep-linear: a deep linear network learning structured data by gradient
 * descent, mode by mode, beside the exact solution of Saxe et al. (2014):
 * sigmoidal, stage-like learning of each singular mode of Σ31, strongest first,
 * and progressive differentiation of the hidden representations.
 */
import { definePipeline, type Emit, RunError } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { checkHierarchy, HIERARCHY_PARAMS } from "../src/linear/datasets.ts";
import { type DatasetName, DATASETS, loadDataset } from "../src/linear/data_select.ts";
import { type Init, initialWeights, INITS } from "../src/linear/init.ts";
import { LinearNet } from "../src/linear/network.ts";
import { modeStrengthSteps } from "../src/linear/theory.ts";

const SAXE = "Saxe, McClelland & Ganguli 2014 (arXiv:1312.6120)";

export default definePipeline({
  id: "deep-linear",
  title: "Deep linear networks: learning mode by mode",
  cite: `${SAXE}, Eqs. 6–8, Figs. 3–4; Saxe et al., CogSci 2013`,
  description:
    "Full-batch gradient descent on a deep linear net. Each singular mode of the input–output correlation Σ31 is learned " +
    "in a sigmoidal stage, strongest first, in time O(τ/s); theory is the exact solution of gradient descent's steps from a decoupled start.",
  params: {
    dataset: {
      kind: "enum",
      values: DATASETS,
      default: "hierarchy",
      help: "hierarchy (branching diffusion), semantic (Rogers & McClelland), canary4",
    },
    ...HIERARCHY_PARAMS,
    depth: {
      kind: "number",
      default: 2,
      min: 2,
      max: 100,
      integer: true,
      help: "number of weight matrices (2 = Saxe's three-layer net)",
    },
    hidden: {
      kind: "number",
      default: 32,
      min: 1,
      max: 1000,
      integer: true,
      help: "width of each hidden layer",
      cite: `${SAXE}, §5 (32)`,
    },
    init: {
      kind: "enum",
      values: INITS,
      default: "decoupled",
      help: "decoupled (analytic start), orthogonal, gaussian, small",
    },
    a0: {
      kind: "number",
      default: 1e-6,
      min: 1e-12,
      max: 10,
      help: "a0, each mode's starting strength (decoupled, orthogonal, gaussian)",
      cite: `${SAXE}, Fig. 3 (a0 = 1e-6)`,
    },
    init_std: {
      kind: "number",
      default: 1e-3,
      min: 1e-9,
      max: 1,
      help: "std of the small i.i.d. init",
    },
    lr: {
      kind: "number",
      default: 0.5e-3,
      min: 1e-7,
      max: 1,
      help: "λ, the learning rate (τ = 1/λ; Σ are sums over examples)",
      cite: `${SAXE}, Fig. 3 (λ = 0.5e-3)`,
    },
    steps: {
      kind: "number",
      default: 600,
      min: 1,
      max: 200000,
      integer: true,
      help: "gradient steps",
    },
    modes: {
      kind: "number",
      default: 8,
      min: 1,
      max: 64,
      integer: true,
      help: "modes to follow (strongest first)",
    },
    record_every: {
      kind: "number",
      default: 2,
      min: 1,
      max: 10000,
      integer: true,
      help: "steps between recorded rows",
    },
  },
  check(p) {
    if (p.dataset === "hierarchy") checkHierarchy(p);
  },
  streams: {
    svd: {
      doc: "Singular values of Σ31, strongest first.",
      fields: { mode: "α (0 = strongest)", s: "s_α" },
    },
    modes: {
      doc:
        "Mode strengths a_α = u_αᵀ W_tot v_α; theory is the exact solution of the gradient-descent steps from a decoupled start, a_{k+1} = a_k (1 + λ(s − a_k) a_k^{(D−2)/D})^D (the paper's continuous solution is its λ → 0 limit).",
      fields: { step: "t (steps)", mode: "α", a: "a_α", source: '"theory" or "simulation"' },
      series: ["mode", "source"],
    },
    loss: {
      doc: "Training loss ½ Σ_μ ‖y_μ − W_tot x_μ‖².",
      fields: { step: "t", loss: "L" },
      series: [],
    },
    weights: {
      notation: { update_norm: "‖ΔW_l‖" },
      doc: "Each layer's weight norm and the norm of its last update.",
      fields: { step: "t", layer: "l (1 = input side)", norm: "‖W_l‖_F", update_norm: "‖ΔW_l‖_F" },
      series: ["layer"],
    },
    representations: {
      doc:
        "Distances between items' last-hidden-layer representations: broad distinctions separate first.",
      fields: {
        step: "t",
        item_a: "item",
        item_b: "item",
        pair: "item_a–item_b",
        distance: "‖h_a − h_b‖",
      },
      series: ["pair"],
    },
  },
  panels: [
    {
      kind: "series",
      id: "modes",
      title: "Mode strengths a_α(t): stage-like learning, strongest first",
      stream: "modes",
      x: "step",
      y: "a",
      by: "source",
      group: "mode",
    },
    { kind: "series", id: "loss", title: "Loss", stream: "loss", x: "step", y: "loss" },
    {
      kind: "series",
      id: "representations",
      title: "Hidden distances: progressive differentiation",
      stream: "representations",
      x: "step",
      y: "distance",
      by: "pair",
    },
    {
      kind: "series",
      id: "weights",
      title: "Weight-update norm per layer",
      stream: "weights",
      x: "step",
      y: "update_norm",
      by: "layer",
    },
    {
      kind: "series",
      id: "svd",
      title: "Singular values of Σ31",
      stream: "svd",
      x: "mode",
      y: "s",
    },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const { data, modes } = loadDataset(p.dataset as DatasetName, p, ctx.rng);
      const nIn = data.items.length, nOut = data.features.length;
      const dims = [nIn, ...Array(p.depth - 1).fill(p.hidden), nOut];
      const k = Math.min(p.modes, modes.s.length);
      for (let m = 0; m < modes.s.length; m++) {
        yield { stream: "svd", row: { mode: m, s: modes.s[m] } };
      }
      // Theory first, so its curves are drawn before training starts.
      // A smooth curve needs no more than ~2,000 points, however long the run.
      const theoryEvery = Math.max(p.record_every, Math.ceil(p.steps / 2000));
      for (let m = 0; m < k; m++) {
        const s = modes.s[m];
        // the exact steps gradient descent takes, not the continuous flow (which lags them by
        // a fraction ≈ λs: up to 8% of s at the talk's rates)
        const exact = modeStrengthSteps(s, p.a0, p.depth, p.lr, p.steps);
        for (let t = 0; t <= p.steps; t += theoryEvery) {
          // at a rate that diverges, so do the exact steps: the simulation says where
          if (!Number.isFinite(exact[t])) break;
          yield { stream: "modes", row: { step: t, mode: m, a: exact[t], source: "theory" } };
        }
      }
      const weights = initialWeights(
        { dims, init: p.init as Init, a0: p.a0, initStd: p.init_std },
        ctx.rng,
        modes,
      );
      const { tf } = ctx;
      const net = new LinearNet(tf, dims, weights, data.sigma31.data, null, 0);
      // Projections onto the top-k modes: a_α = Σ_ij U_iα W_ij V_jα.
      // The first k columns of U (outputs × K) and V (inputs × K), as float32 tensors.
      const topK = (m: { rows: number; data: Float64Array }) =>
        tf.tensor2d(
          Float32Array.from({ length: m.rows * k }, (_, i) =>
            m.data[Math.floor(i / k) * modes.s.length + (i % k)]),
          [m.rows, k],
        );
      const uk = topK(modes.u);
      const vk = topK(modes.v);
      const pairs = data.pairs.map(([a, b]) =>
        [a, b, data.items.indexOf(a), data.items.indexOf(b)] as const
      );
      let loss0 = NaN;
      try {
        for (let t = 0; t <= p.steps; t++) {
          const record = t % p.record_every === 0 || t === p.steps;
          if (record) {
            const measured = tf.tidy(() => {
              const wTot = net.total();
              const a = tf.sum(uk.mul(wTot.matMul(vk)), 0);
              const h = net.hidden();
              const cols = pairs.map(([, , i, j]) =>
                tf.norm(h.slice([0, i], [-1, 1]).sub(h.slice([0, j], [-1, 1])))
              );
              return tf.concat([a, ...(cols.length ? [tf.stack(cols)] : [])]);
            });
            const v = measured.dataSync();
            measured.dispose();
            for (let m = 0; m < k; m++) {
              yield { stream: "modes", row: { step: t, mode: m, a: v[m], source: "simulation" } };
            }
            for (let q = 0; q < pairs.length; q++) {
              const [a, b] = pairs[q];
              yield {
                stream: "representations",
                row: { step: t, item_a: a, item_b: b, pair: `${a}–${b}`, distance: v[k + q] },
              };
            }
          }
          ctx.progress(t, p.steps);
          if (t === p.steps) break;
          const r = net.step(p.lr, record);
          if (Number.isNaN(loss0)) loss0 = r.loss;
          if (!Number.isFinite(r.loss) || r.loss > 1e6 * Math.max(loss0, 1)) {
            throw new RunError(
              `loss diverged at step ${t}: ${r.loss} (from ${loss0}); lower lr (now ${p.lr})`,
              { step: t, param: "lr" },
            );
          }
          if (record) {
            yield { stream: "loss", row: { step: t, loss: r.loss } };
            for (let l = 0; l < r.norms.length; l++) {
              yield {
                stream: "weights",
                row: { step: t, layer: l + 1, norm: r.norms[l], update_norm: r.updates[l] },
              };
            }
          }
          await ctx.tick();
        }
      } finally {
        net.dispose();
        uk.dispose();
        vk.dispose();
      }
    });
  },
});
