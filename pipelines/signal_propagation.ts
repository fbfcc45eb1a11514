/**
 * signal-propagation: the length map q_l and the correlation map c_l of a deep
 * random network, theory (float64 quadrature or closed forms) beside a
 * simulated network of finite width (TensorFlow.js), with the fixed point
 * and depth scales that set the phase (Poole et al. 2016; Schoenholz et al. 2017).
 */
import { activation, type ActivationName, ACTIVATIONS } from "../src/signal/activations.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { propagate } from "../src/signal/maps.ts";
import { simulateNetwork } from "../src/signal/random_network.ts";
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";

const POOLE = "Poole et al. 2016 (arXiv:1606.05340)";
const SCHOENHOLZ = "Schoenholz et al. 2017 (arXiv:1611.01232)";

export default definePipeline({
  id: "signal-propagation",
  title: "Signal propagation: the length and correlation maps",
  cite: `${POOLE}, Eqs. 3–5; ${SCHOENHOLZ}, Eqs. 4–9`,
  description:
    "Two inputs of length q0 at correlation c0 pass through a deep random network. Theory iterates the mean-field maps; " +
    "simulation measures a network of the given width. In the ordered phase (χ1 < 1) c_l → 1; in the chaotic phase it falls to c* < 1.",
  memory: ["width", "pairs"],
  params: {
    activation: {
      kind: "enum",
      values: ACTIVATIONS,
      default: "tanh",
      help: "φ, the nonlinearity",
      cite: `${POOLE}, Fig. 1`,
    },
    sigma_w2: {
      kind: "number",
      default: 1.5,
      min: 0.01,
      max: 10,
      help: "σw², the weight variance (W_ij ~ N(0, σw²/N))",
      cite: `${SCHOENHOLZ}, Fig. 1 sweeps σw² in [1, 4]`,
    },
    sigma_b2: {
      kind: "number",
      default: 0.05,
      min: 0,
      max: 5,
      help: "σb², the bias variance",
      cite: `${SCHOENHOLZ}, Fig. 1 (σb² = 0.05)`,
    },
    depth: {
      kind: "number",
      default: 30,
      min: 1,
      max: 1000,
      integer: true,
      help: "L, the number of layers after the input",
    },
    width: {
      kind: "number",
      default: 1000,
      min: 2,
      max: 4096,
      integer: true,
      help: "N, units per layer of the simulated network",
      cite: `${POOLE}, Fig. 2 (N = 1000)`,
    },
    q0: {
      kind: "number",
      default: 1,
      min: 0.001,
      max: 100,
      help: "q^0 = |h^0|²/N, the inputs' length",
    },
    c0: {
      kind: "number",
      default: 0.5,
      min: -1,
      max: 1,
      help: "c^0, the correlation of the two inputs",
    },
    pairs: {
      kind: "number",
      default: 32,
      min: 1,
      max: 512,
      integer: true,
      help: "input pairs per network (batch = 2·pairs)",
    },
    draws: {
      kind: "number",
      default: 4,
      min: 1,
      max: 32,
      integer: true,
      help: "independent networks averaged",
    },
  },
  streams: {
    qmap: {
      doc: "The length q_l = |h^l|²/N layer by layer.",
      fields: {
        layer: "l (0 = input)",
        q: "q_l",
        source: '"theory" (length map) or "simulation" (width-N network)',
      },
      series: ["source"],
    },
    cmap: {
      doc: "The correlation c_l of two inputs layer by layer.",
      fields: {
        layer: "l (0 = input)",
        c: "c_l",
        source: '"theory" (covariance map) or "simulation"',
      },
      series: ["source"],
    },
    "fixed-point": {
      notation: { q_star: "q*", c_star: "c*", chi1: "χ1", chi_c: "χ_c", xi_q: "ξ_q", xi_c: "ξ_c" },
      doc:
        "The fixed point and depth scales; ξ is null where it diverges (on the critical line) and q*, c* are null where q grows without bound.",
      fields: {
        q_star: "q*",
        c_star: "c*",
        chi1: "χ1 = σw² E φ'(√q* z)²",
        chi_c: "slope of the c-map at c*",
        xi_q: "ξ_q (layers)",
        xi_c: "ξ_c (layers)",
        phase: '"ordered", "chaotic" or "unbounded"',
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "qmap",
      title: "Length q_l",
      stream: "qmap",
      x: "layer",
      y: "q",
      by: "source",
      yLabel: "q_l",
    },
    {
      kind: "series",
      id: "cmap",
      title: "Correlation c_l",
      stream: "cmap",
      x: "layer",
      y: "c",
      by: "source",
      yLabel: "c_l",
    },
    { kind: "table", id: "fixed-point", title: "Fixed point", stream: "fixed-point" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const m = {
        act: activation(p.activation as ActivationName),
        sigma_w2: p.sigma_w2,
        sigma_b2: p.sigma_b2,
      };
      const theory = propagate(m, p.q0, p.c0, p.depth);
      for (const { layer, q } of theory) {
        yield { stream: "qmap", row: { layer, q, source: "theory" } };
      }
      for (const { layer, c } of theory) {
        yield { stream: "cmap", row: { layer, c, source: "theory" } };
      }
      yield { stream: "fixed-point", row: { ...fixedPoint(m) } };
      const sim = simulateNetwork(
        ctx.tf,
        { ...p, activation: p.activation as ActivationName },
        ctx.rng,
        ctx.tick,
        ctx.backend === "wasm" ? "simd" : "tfjs",
      );
      for await (const { layer, q, c } of sim) {
        yield { stream: "qmap", row: { layer, q, source: "simulation" } };
        yield { stream: "cmap", row: { layer, c, source: "simulation" } };
      }
    });
  },
});
