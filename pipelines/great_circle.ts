/**
 * great-circle: transient chaos of a curve (Poole et al. 2016, §4 and Figs. 2–3). A great
 * circle of inputs on the sphere of radius √(N q*) goes through one random network; exact
 * derivatives along θ give its length, curvature and Grassmannian length at every layer,
 * beside the mean-field recursions, and its top principal components show it fold from a
 * circle into a space-filling curve. All maps and χ's come from src/signal.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { activation, type ActivationName } from "../src/signal/activations.ts";
import { chi2At, fixedPoint } from "../src/signal/fixed_point.ts";
import { forwardJets } from "../src/geometry/jets.ts";
import { greatCircle, startingLength } from "../src/geometry/inputs.ts";
import { curvatureFixedPoint, curveStats, curveTheory } from "../src/geometry/curve.ts";
import { curvePca, evenIndices, pcaTheory } from "../src/geometry/pca.ts";

const POOLE = "Poole et al. 2016 (arXiv:1606.05340)";
/** principal components whose share of variance is streamed */
const COMPONENTS = 6;
/** ReLU's φ'' is a delta at the kink: its curves have corners, and no curvature to predict */
const SMOOTH = ["tanh", "erf", "linear"] as const;

export default definePipeline({
  id: "great-circle",
  title: "Transient chaos: a great circle through a deep random network",
  cite: `${POOLE}, Eqs. 10–12, Figs. 2–4`,
  description:
    "A circle of inputs at the fixed-point length q* goes through one random network. In the chaotic phase its length grows by √χ1 a layer while its curvature settles, so it folds into a space-filling curve; in the ordered phase it shrinks to a point.",
  memory: ["width", "points"],
  params: {
    activation: {
      kind: "enum",
      values: SMOOTH,
      default: "tanh",
      help: "φ; smooth ones only (ReLU's kink has no second derivative, so no curvature)",
      cite: `${POOLE}, Fig. 2 (tanh)`,
    },
    sigma_w2: {
      kind: "number",
      default: 4,
      min: 0.01,
      max: 10,
      help:
        "σw², the weight variance (W_ij ~ N(0, σw²/N)); tanh at σb² = 0.3 turns chaotic at σw² ≈ 2.5",
      cite: `${POOLE}, Fig. 2 (σw² = 4, chaotic)`,
    },
    sigma_b2: {
      kind: "number",
      default: 0.3,
      min: 0,
      max: 5,
      help: "σb², the bias variance",
      cite: `${POOLE}, Fig. 2 (σb² = 0.3)`,
    },
    width: {
      kind: "number",
      default: 1000,
      min: 16,
      max: 4096,
      integer: true,
      help: "N, units per layer",
      cite: `${POOLE}, Fig. 2 (N = 1000)`,
    },
    depth: {
      kind: "number",
      default: 30,
      min: 1,
      max: 200,
      integer: true,
      help: "L, layers after the input",
    },
    points: {
      kind: "number",
      default: 500,
      min: 16,
      max: 2000,
      integer: true,
      help: "θ samples on the circle (the PCA and the 3-D view take up to 256 of them)",
    },
  },
  check(p) {
    const act = activation(p.activation as ActivationName);
    startingLength({ act, sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2 });
  },
  streams: {
    "fixed-point": {
      notation: { q_star: "q*", chi1: "χ1", chi2: "χ2", kappa_star: "κ̄*" },
      doc: "Where the circle starts and the slopes that set its fate.",
      fields: {
        q_star: "q*, the squared radius per unit of the input circle",
        chi1: "χ1: the squared stretch of one layer",
        chi2: "χ2 = σw² E φ''(√q* z)²: how hard one layer bends",
        kappa_star:
          "the normalised curvature's fixed point √(3q*χ2/(χ1(χ1−1))) (chaotic), null when it grows without bound",
        phase: '"ordered" or "chaotic"',
      },
    },
    curve: {
      doc:
        "The curve's geometry per layer, from exact derivatives along θ (simulation) and the mean-field recursions (theory).",
      fields: {
        layer: "l (0 = the input circle)",
        length: "(1/√N) ∮|∂θh| dθ; 2π√q* at the input",
        curvature: "mean over θ of √(N q*) κ, 1 at the input",
        grassmannian_length: "∮ κ |∂θh| dθ, the tangent's total turning; 2π at the input",
        source: '"theory" or "simulation"',
      },
      series: ["source"],
    },
    pca: {
      doc: "The share of the curve's variance on each of its top principal components.",
      fields: {
        layer: "l",
        component: "1, 2, … (by variance)",
        variance_fraction: "that component's share of the total variance",
        source: '"theory" (Fourier modes of the correlation map) or "simulation"',
      },
      series: ["component", "source"],
    },
    projection: {
      doc: "The curve on its own top three principal components, up to 256 points per layer.",
      fields: {
        layer: "l",
        point: "index along θ (0…points−1)",
        x: "coordinate on component 1, in units of √(|h|²/N)",
        y: "on component 2",
        z: "on component 3",
      },
    },
  },
  panels: [
    {
      kind: "projection",
      id: "projection",
      title: "The circle, layer by layer (top 3 principal components)",
      stream: "projection",
      x: "x",
      y: "y",
      z: "z",
      frame: "layer",
      order: "point",
    },
    {
      kind: "series",
      id: "length",
      title: "Length: × √χ1 a layer",
      stream: "curve",
      x: "layer",
      y: "length",
      by: "source",
      yLog: true,
      yLabel: "length / √N",
    },
    {
      kind: "series",
      id: "curvature",
      title: "Curvature κ̄ (1 = the input circle)",
      stream: "curve",
      x: "layer",
      y: "curvature",
      by: "source",
      yLog: true,
      yLabel: "κ̄",
    },
    {
      kind: "series",
      id: "grassmannian",
      title: "Grassmannian length",
      stream: "curve",
      x: "layer",
      y: "grassmannian_length",
      by: "source",
      yLog: true,
      yLabel: "∮ κ |v| dθ",
    },
    {
      kind: "series",
      id: "pca",
      title: "Variance on the top principal components",
      stream: "pca",
      x: "layer",
      y: "variance_fraction",
      group: "component",
      by: "source",
      yLabel: "share of variance",
    },
    { kind: "table", id: "fixed-point", title: "Fixed point", stream: "fixed-point" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const act = p.activation as ActivationName;
      const m = { act: activation(act), sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2 };
      const fp = fixedPoint(m);
      const q = fp.q_star!;
      yield {
        stream: "fixed-point",
        row: {
          q_star: q,
          chi1: fp.chi1,
          chi2: chi2At(m, q),
          kappa_star: curvatureFixedPoint(m),
          phase: fp.phase,
        },
      };
      for (const row of curveTheory(m, p.depth)) {
        yield { stream: "curve", row: { ...row, source: "theory" } };
      }
      const idx = evenIndices(p.points);
      const theory = pcaTheory(m, p.depth, idx.length, COMPONENTS);
      for (let layer = 0; layer <= p.depth; layer++) {
        for (let k = 0; k < theory[layer].length; k++) {
          yield {
            stream: "pca",
            row: { layer, component: k + 1, variance_fraction: theory[layer][k], source: "theory" },
          };
        }
      }
      const input = greatCircle(ctx.rng, p.width, q, p.points);
      const net = { ...p, activation: act };
      let previous: Float64Array[] | undefined;
      for await (const j of forwardJets(ctx.tf, net, input, ctx.rng, ctx.tick)) {
        yield {
          stream: "curve",
          row: { ...curveStats(j.layer, j.v!, j.a!, p.width, q), source: "simulation" },
        };
        const pca = curvePca(j.h, p.width, idx, COMPONENTS, previous);
        previous = pca.vectors;
        for (let k = 0; k < pca.fractions.length; k++) {
          yield {
            stream: "pca",
            row: {
              layer: j.layer,
              component: k + 1,
              variance_fraction: pca.fractions[k],
              source: "simulation",
            },
          };
        }
        for (let i = 0; i < idx.length; i++) {
          const [x, y, z] = pca.coords[i];
          yield { stream: "projection", row: { layer: j.layer, point: idx[i], x, y, z } };
        }
        ctx.progress(j.layer, p.depth);
        await ctx.tick();
      }
    });
  },
});
