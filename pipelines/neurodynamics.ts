/**
 * neurodynamics: Amari's macroscopic variables of a deep random network (Amari, Karakida &
 * Oizumi 2018). The metric each layer pulls back onto a 2-D patch of inputs is conformal,
 * g^l ≈ χ1^l g⁰, the same stretch in every direction, more exactly the wider the net; and
 * the distance between two inputs follows the correlation map, to one common value in the
 * chaotic phase (equidistance) and to 0 in the ordered one. The maps come from src/signal,
 * the measurements from exact tangents through one network per width (src/geometry).
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { activation, type ActivationName, ACTIVATIONS } from "../src/signal/activations.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { forwardJets } from "../src/geometry/jets.ts";
import {
  distancePairs,
  distanceTheory,
  metricStats,
  metricTheory,
  pairDistances,
  slopeKurtosis,
  spherePatch,
} from "../src/geometry/metric.ts";
import { startingLength } from "../src/geometry/inputs.ts";

const AKO = "Amari, Karakida & Oizumi 2018 (arXiv:1808.07169)";
/** initial squared distances of the pairs, in units of q* (4 = antipodal) */
const D0 = [0.05, 0.5, 1, 2, 3] as const;
/** pairs per initial distance */
const PAIRS = 4;
/** points of the theory's spread-against-width curve */
const SPREAD_POINTS = 40;

/** `count` widths from lo to hi, evenly on a log scale, rounded to two significant figures. */
export function sweepWidths(lo: number, hi: number, count: number): number[] {
  if (count <= 1 || lo >= hi) return [hi];
  const round2 = (x: number) => {
    const p = Math.pow(10, Math.floor(Math.log10(x)) - 1);
    return Math.round(x / p) * p;
  };
  const out = Array.from(
    { length: count },
    (_, k) => k === count - 1 ? hi : round2(lo * Math.pow(hi / lo, k / (count - 1))),
  );
  return [...new Set(out)];
}

export default definePipeline({
  id: "neurodynamics",
  title: "Neurodynamics: a conformal metric and equal distances",
  cite: `${AKO}, §§3–5`,
  description:
    "Inputs on a sphere pass through one random network per width. The metric each layer pulls back onto a patch of inputs stretches every direction by χ1 a layer (conformal), the spread between directions falling like 1/√N; distances between inputs follow the correlation map to one common value in the chaotic phase.",
  memory: ["width", "points"],
  params: {
    activation: {
      kind: "enum",
      values: ACTIVATIONS,
      default: "tanh",
      help: "φ, the nonlinearity",
    },
    sigma_w2: {
      kind: "number",
      default: 4,
      min: 0.01,
      max: 10,
      help:
        "σw², the weight variance; tanh at σb² = 0.05 is chaotic above σw² ≈ 1.76 (χ1 = 1.34 at 4: distances settle within 20 layers)",
    },
    sigma_b2: {
      kind: "number",
      default: 0.05,
      min: 0,
      max: 5,
      help: "σb², the bias variance",
      cite: "Schoenholz et al. 2017 (arXiv:1611.01232), Fig. 1 (σb² = 0.05)",
    },
    depth: {
      kind: "number",
      default: 20,
      min: 1,
      max: 100,
      integer: true,
      help: "L, layers after the input",
    },
    width: {
      kind: "number",
      default: 3000,
      min: 16,
      max: 4096,
      integer: true,
      help: "N of the widest network: the metric and distances shown are its",
    },
    width_min: {
      kind: "number",
      default: 100,
      min: 16,
      max: 4096,
      integer: true,
      help: "N of the narrowest network of the width sweep",
    },
    widths: {
      kind: "number",
      default: 4,
      min: 1,
      max: 8,
      integer: true,
      help: "networks in the width sweep, evenly spaced on a log scale from width_min to width",
    },
    points: {
      kind: "number",
      default: 64,
      min: 1,
      max: 512,
      integer: true,
      help: "points of the input patch where the metric is measured (averaged)",
    },
  },
  check(p) {
    if (p.width_min > p.width) {
      throw new ParamError("width_min", `must not exceed width (${p.width})`);
    }
    const act = activation(p.activation as ActivationName);
    startingLength({ act, sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2 });
  },
  streams: {
    "fixed-point": {
      notation: { q_star: "q*", chi1: "χ1", kappa4: "κ4", c_star: "c*" },
      doc: "Where the inputs sit and what the theory predicts for them.",
      fields: {
        q_star: "q*, the inputs' squared length per unit",
        chi1: "χ1, the metric's conformal factor per layer",
        kappa4: "κ4 = E φ'⁴/(E φ'²)², which sets the spread at finite width",
        c_star: "c*, the correlation every pair tends to",
        equidistance: "2(1 − c*), the distance every pair tends to, in units of q*",
        phase: '"ordered" or "chaotic"',
      },
    },
    metric: {
      doc:
        "The eigenvalues of (g⁰)⁻¹ g^l of the pullback metric on the input patch, at the widest net, averaged over the patch.",
      fields: {
        layer: "l",
        eig_min: "the smaller eigenvalue",
        eig_max: "the larger eigenvalue",
        mean: "their mean",
        theory: "χ1^l: both, for an infinitely wide net",
      },
    },
    conformality: {
      doc:
        "How far from conformal the last layer's metric is, against width: (λ_max − λ_min)/mean, averaged over the patch.",
      fields: {
        width: "N",
        spread: "(λ_max − λ_min)/mean at layer L",
        source: '"theory" (√(2πLκ4/N), first order in 1/N) or "simulation"',
      },
      series: ["source"],
    },
    distance: {
      notation: { d0: "d⁰ = |h¹ − h²|²/(N q*) at the input" },
      doc: "Distances between pairs of inputs started at several distances, at the widest net.",
      fields: {
        layer: "l",
        d0: "the pair's starting distance |h¹ − h²|²/(N q*)",
        distance: "|h¹ − h²|²/(N q*) at layer l (mean over pairs)",
        source: '"theory" (the correlation map) or "simulation"',
      },
      series: ["d0", "source"],
    },
  },
  panels: [
    {
      kind: "series",
      id: "metric",
      title: "Metric eigenvalues: both × χ1 a layer",
      stream: "metric",
      x: "layer",
      y: "theory",
      lines: ["eig_min", "eig_max"],
      labels: { theory: "theory χ1^l", eig_min: "λ min", eig_max: "λ max" },
      yLog: true,
      yLabel: "eigenvalue of (g⁰)⁻¹gˡ",
    },
    {
      kind: "series",
      id: "conformality",
      title: "Conformal as N grows: spread ∝ 1/√N",
      stream: "conformality",
      x: "width",
      y: "spread",
      by: "source",
      xLog: true,
      yLog: true,
      yLabel: "(λmax − λmin)/mean",
    },
    {
      kind: "series",
      id: "distance",
      title: "Distances between inputs",
      stream: "distance",
      x: "layer",
      y: "distance",
      group: "d0",
      by: "source",
      yLabel: "|h¹ − h²|² / (N q*)",
    },
    { kind: "table", id: "fixed-point", title: "Fixed point", stream: "fixed-point" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const act = p.activation as ActivationName;
      const m = { act: activation(act), sigma_w2: p.sigma_w2, sigma_b2: p.sigma_b2 };
      const fp = fixedPoint(m);
      const q = fp.q_star!;
      const theory = metricTheory(m);
      yield {
        stream: "fixed-point",
        row: {
          q_star: q,
          chi1: fp.chi1,
          kappa4: slopeKurtosis(m, q),
          c_star: fp.c_star,
          equidistance: 2 * (1 - (fp.c_star ?? 1)),
          phase: fp.phase,
        },
      };
      const widths = sweepWidths(p.width_min, p.width, p.widths);
      const lo = widths[0], hi = p.width;
      for (let k = 0; k < SPREAD_POINTS; k++) {
        const width = lo === hi ? hi : lo * Math.pow(hi / lo, k / (SPREAD_POINTS - 1));
        yield {
          stream: "conformality",
          row: { width, spread: theory.spread(p.depth, width), source: "theory" },
        };
        if (lo === hi) break;
      }
      const dTheory = distanceTheory(m, D0, p.depth);
      for (let g = 0; g < D0.length; g++) {
        for (let layer = 0; layer <= p.depth; layer++) {
          yield {
            stream: "distance",
            row: { layer, d0: D0[g], distance: dTheory[g][layer], source: "theory" },
          };
        }
      }
      let done = 0;
      for (const width of widths) {
        const widest = width === p.width;
        const patch = spherePatch(ctx.rng, width, q, p.points);
        // the widest net also carries the distance pairs, after the patch's points
        const pairs = widest ? distancePairs(ctx.rng, width, q, D0, PAIRS) : new Float32Array();
        const h = new Float32Array(patch.h.length + pairs.length);
        h.set(patch.h);
        h.set(pairs, patch.h.length);
        const net = {
          activation: act,
          sigma_w2: p.sigma_w2,
          sigma_b2: p.sigma_b2,
          width,
          depth: p.depth,
        };
        const input = { h, v: patch.v, base: patch.base };
        for await (const j of forwardJets(ctx.tf, net, input, ctx.rng, ctx.tick)) {
          const s = metricStats(j.v!, width, q);
          if (widest) {
            yield {
              stream: "metric",
              row: {
                layer: j.layer,
                eig_min: s.eig_min,
                eig_max: s.eig_max,
                mean: s.mean,
                theory: theory.factor(j.layer),
              },
            };
            const d = pairDistances(j.h.subarray(patch.h.length), width, q, D0.length, PAIRS);
            for (let g = 0; g < D0.length; g++) {
              yield {
                stream: "distance",
                row: { layer: j.layer, d0: D0[g], distance: d[g], source: "simulation" },
              };
            }
          }
          if (j.layer === p.depth) {
            yield {
              stream: "conformality",
              row: { width, spread: s.spread, source: "simulation" },
            };
          }
          if (j.layer > 0) ctx.progress(++done, widths.length * p.depth);
        }
      }
    });
  },
});
