/**
 * phase-diagram: the order-to-chaos phase diagram over (σw², σb²). Each cell
 * streams as it is computed, so the heatmap fills in live; the critical line
 * χ1 = 1 comes first, found by root-finding for each σb² row (Poole et al.
 * 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1).
 */
import { activation, type ActivationName, ACTIVATIONS } from "../src/signal/activations.ts";
import { criticalSigmaW2 } from "../src/signal/critical_line.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { ParamError } from "../src/params/schema.ts";
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";

const SCHOENHOLZ = "Schoenholz et al. 2017 (arXiv:1611.01232)";

/** n evenly spaced values from lo to hi inclusive. */
function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + ((hi - lo) * i) / (n - 1)));
}

export default definePipeline({
  id: "phase-diagram",
  title: "Phase diagram: order, chaos and the depth scale ξ_c",
  cite: `Poole et al. 2016 (arXiv:1606.05340), Fig. 2; ${SCHOENHOLZ}, Fig. 1 and Eq. 9`,
  description:
    "q*, c*, χ1 and ξ_c on a grid of (σw², σb²). ξ_c diverges on the critical line χ1 = 1, where deep networks stay trainable.",
  params: {
    activation: { kind: "enum", values: ACTIVATIONS, default: "tanh", help: "φ, the nonlinearity" },
    sigma_w2_min: {
      kind: "number",
      default: 0.5,
      min: 0.01,
      max: 10,
      help: "smallest σw² on the grid",
      cite: `${SCHOENHOLZ}, Fig. 1`,
    },
    sigma_w2_max: {
      kind: "number",
      default: 4,
      min: 0.01,
      max: 10,
      help: "largest σw² on the grid",
      cite: `${SCHOENHOLZ}, Fig. 1`,
    },
    sigma_b2_min: { kind: "number", default: 0, min: 0, max: 5, help: "smallest σb² on the grid" },
    sigma_b2_max: { kind: "number", default: 0.3, min: 0, max: 5, help: "largest σb² on the grid" },
    grid: {
      kind: "number",
      default: 60,
      min: 2,
      max: 300,
      integer: true,
      help: "cells per axis (grid × grid cells)",
    },
  },
  check(p) {
    if (!(p.sigma_w2_min < p.sigma_w2_max)) {
      throw new ParamError(
        "sigma_w2_min",
        `must be below sigma_w2_max (${p.sigma_w2_max}), got ${p.sigma_w2_min}`,
      );
    }
    if (!(p.sigma_b2_min < p.sigma_b2_max)) {
      throw new ParamError(
        "sigma_b2_min",
        `must be below sigma_b2_max (${p.sigma_b2_max}), got ${p.sigma_b2_min}`,
      );
    }
  },
  streams: {
    "critical-line": {
      doc: "Points of the critical line χ1 = 1, one per σb² row that crosses it in the σw² range.",
      fields: { sigma_b2: "σb²", sigma_w2: "σw² where χ1 = 1" },
    },
    cell: {
      notation: {
        sigma_w2: "σw²",
        sigma_b2: "σb²",
        xi_c: "ξ_c",
        chi1: "χ1",
        q_star: "q*",
        c_star: "c*",
      },
      doc:
        "One grid cell; ξ_c is null on the critical line, q*, c*, ξ_c null where q is unbounded (ReLU, linear).",
      fields: {
        sigma_w2: "σw²",
        sigma_b2: "σb²",
        q_star: "q*",
        c_star: "c*",
        chi1: "χ1",
        xi_c: "ξ_c (layers)",
        phase: '"ordered", "chaotic" or "unbounded"',
      },
    },
  },
  panels: [
    {
      kind: "heatmap",
      id: "phase",
      title: "Order and chaos over (σw², σb²); the critical line χ1 = 1 in red",
      stream: "cell",
      x: "sigma_w2",
      y: "sigma_b2",
      fill: ["xi_c", "chi1", "q_star", "c_star"],
      overlay: { stream: "critical-line", x: "sigma_w2", y: "sigma_b2" },
    },
  ],
  shardable: "the (σw², σb²) grid, by rows of σb²",
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const act = activation(p.activation as ActivationName);
      const ws = grid(p.sigma_w2_min, p.sigma_w2_max, p.grid);
      const bs = grid(p.sigma_b2_min, p.sigma_b2_max, p.grid);
      for (const [k, b] of bs.entries()) {
        if (!ctx.mine(k)) continue; // a shard computes every count-th row of the grid
        const w = criticalSigmaW2(act, b, p.sigma_w2_min, p.sigma_w2_max);
        if (w !== null) yield { stream: "critical-line", row: { sigma_b2: b, sigma_w2: w } };
        await ctx.tick();
      }
      for (const [k, b] of bs.entries()) {
        if (!ctx.mine(k)) continue;
        for (const w of ws) {
          const fp = fixedPoint({ act, sigma_w2: w, sigma_b2: b });
          yield {
            stream: "cell",
            row: {
              sigma_w2: w,
              sigma_b2: b,
              q_star: fp.q_star,
              c_star: fp.c_star,
              chi1: fp.chi1,
              xi_c: fp.xi_c,
              phase: fp.phase,
            },
          };
          await ctx.tick();
        }
      }
    });
  },
});
