/**
 * deep-cheap: why deep and cheap learning works (Lin, Tegmark & Rolnick 2017; Rolnick &
 * Tegmark 2018; Mehta & Schwab 2014), in three parts chosen by `part`, each a slide:
 * multiplication gates and the cost of flattening; decimation of the 1-D Ising chain; stacked
 * RBMs on 2-D Ising samples. The science is src/cheap; each part's run is its *_part.ts there.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError, type ParamsSchema } from "../src/params/schema.ts";
import { T_CRITICAL } from "../src/cheap/ising.ts";
import { gates } from "../src/cheap/gates_part.ts";
import { decimation } from "../src/cheap/decimation_part.ts";
import { rbm } from "../src/cheap/rbm_part.ts";

const LTR = "Lin, Tegmark & Rolnick 2017 (J. Stat. Phys. 168)";
const RT = "Rolnick & Tegmark 2018 (ICLR)";
const MS = "Mehta & Schwab 2014 (arXiv:1410.3831)";
const PARAMS = {
  part: {
    kind: "enum",
    values: ["gates", "decimation", "rbm"],
    default: "gates",
    help:
      "gates (multiplication and no-flattening), decimation (1-D Ising RG) or rbm (2-D Ising and stacked RBMs)",
  },
  n: {
    kind: "number",
    default: 6,
    min: 2,
    max: 8,
    integer: true,
    help:
      "inputs multiplied (at most 8: the shallow construction has 2ⁿ neurons and the trained shallow nets reach 2ⁿ)",
    cite: `${RT}, §5`,
  },
  lambda_min: {
    kind: "number",
    default: 0.01,
    min: 1e-4,
    max: 10,
    help: "λ, the gates' input scale: smallest (the error ∝ λ²)",
    cite: `${LTR}, eq. (11)`,
  },
  lambda_max: { kind: "number", default: 1, min: 1e-4, max: 10, help: "λ: largest" },
  steps: {
    kind: "number",
    default: 1500,
    min: 10,
    max: 100000,
    integer: true,
    help: "full-batch Adam steps per trained product net",
  },
  train_size: {
    kind: "number",
    default: 2048,
    min: 64,
    max: 65536,
    integer: true,
    help: "training points, uniform on [−1, 1]ⁿ (4,096 more for the test)",
  },
  coupling: {
    kind: "number",
    default: 2,
    min: 0,
    max: 20,
    help: "K = J/T of the 1-D chain before decimation",
    cite: `${LTR}, §IV`,
  },
  decimations: {
    kind: "number",
    default: 14,
    min: 1,
    max: 60,
    integer: true,
    help: "decimation steps (each halves the chain)",
  },
  size: {
    kind: "number",
    default: 32,
    min: 16,
    max: 64,
    integer: true,
    help:
      "L, the 2-D lattice's side (periodic); a multiple of 16, as three 2 × 2 coarse-grainings give layers of (L/2)², (L/4)², (L/8)² units",
    cite: `${MS} (40 × 40 there)`,
  },
  temperature: {
    kind: "number",
    default: T_CRITICAL,
    min: 0.1,
    max: 10,
    help: "T of the RBMs' training samples (J = 1; T_c = 2/ln(1 + √2) ≈ 2.269)",
    cite: MS,
  },
  samples: {
    kind: "number",
    default: 4000,
    min: 100,
    max: 100000,
    integer: true,
    help: "Ising configurations to train on (one per Wolff sweep)",
  },
  epochs: {
    kind: "number",
    default: 15,
    min: 1,
    max: 1000,
    integer: true,
    help: "CD-1 passes over the samples, per layer",
  },
  l1: {
    kind: "number",
    default: 3e-3,
    min: 0,
    max: 1,
    help: "L1 weight decay (sparse, local receptive fields)",
    cite: MS,
  },
  learning_rate: {
    kind: "number",
    default: 0.05,
    min: 1e-5,
    max: 1,
    help: "CD-1's learning rate (per example)",
  },
} as const satisfies ParamsSchema;

export default definePipeline({
  id: "deep-cheap",
  title: "Deep and cheap: multiplication gates, no flattening, and renormalisation",
  cite: `${LTR}; ${RT}; ${MS}`,
  description:
    "Why deep nets are cheap: four neurons multiply, a deep tree of them multiplies n numbers with 4(n − 1) neurons where one hidden layer needs 2ⁿ; decimation of the Ising chain runs to its fixed point; stacked RBMs trained on critical Ising samples learn local, block-spin-like receptive fields.",
  params: PARAMS,
  shardable:
    "part gates' trained nets, one item per block size and per shallow width (shard 1 also computes the constructed gates; the other parts run whole on shard 1)",
  // only the gates part has a sweep: the rbm part runs whole, on every kernel thread
  splits: (p) => p.part === "gates",
  check(p) {
    if (p.lambda_min >= p.lambda_max) {
      throw new ParamError("lambda_min", `must be below lambda_max (${p.lambda_max})`);
    }
    if (p.size % 16 !== 0) {
      throw new ParamError(
        "size",
        `must be a multiple of 16 (got ${p.size}): three 2 × 2 coarse-grainings need layers of (L/2)², (L/4)², (L/8)² units, each a multiple of 4`,
      );
    }
  },
  streams: {
    gate: {
      notation: { test_error: "test error" },
      doc: "One constructed or trained product net's error.",
      fields: {
        curve: "which net: the gate with an activation, or the n-input shallow/deep product",
        kind: '"constructed", "trained-shallow" or "trained-deep"',
        activation: "σ",
        n: "inputs multiplied",
        neurons: "hidden neurons",
        lambda: "λ (null for trained nets)",
        max_rel_error:
          "largest |f − Πx|/|Πx| over the box [−1, 1]ⁿ (every |xᵢ| ≥ 0.05, and its corners)",
        test_error: "E(f − Πx)²/E(Πx)² on 4,096 fresh points (trained nets; null otherwise)",
      },
    },
    "gate-lambda": {
      notation: { lambda: "λ", max_rel_error: "max relative error" },
      doc:
        "The constructed nets' error against λ, measured and to leading order in λ (∝ λ²), for drawing.",
      fields: {
        curve: "as gate",
        lambda: "λ",
        max_rel_error: "measured (as gate), or the Taylor prediction at the box's corners",
        source: '"simulation" (measured) or "theory" (Taylor)',
      },
    },
    activations: {
      notation: { sigma2: "σ″(0)", sigma4: "σ⁗(0)" },
      doc: "Each activation's even derivatives at 0: the gate needs σ''(0) ≠ 0.",
      fields: {
        activation: "σ",
        sigma2: "σ''(0)",
        sigma4: "σ''''(0)",
        coefficient: "|σ''''/(3σ'')|: the gate's relative error at the corners is this × λ²",
        works: "whether σ''(0) ≠ 0",
      },
    },
    training: {
      doc: "The trained product nets' training loss every 50 steps.",
      fields: {
        net: "e.g. shallow-32",
        step: "Adam step",
        loss: "E(f − Πx)²/E(Πx)² on the training set",
      },
      series: ["net"],
    },
    ising1d: {
      doc: "The decimation flow of the 1-D chain, step by step.",
      fields: {
        step: "decimations done",
        K: "the coupling after them",
        f_recursion:
          "ln Z per site from the recursion f(K') = 2f(K) − ln[2cosh^{1/2}(2K)], the flow's tail at K* = 0",
        f_exact: "ln(2 cosh K0), the infinite chain",
        f_ring: "ln Z/N of a ring of N = 2^(step+1) spins by its transfer matrix",
        error: "|f_recursion − f_exact| (null once 0 in float64)",
      },
    },
    "rg-map": {
      notation: { K_next: "K′" },
      doc: "The decimation map K' = ½ ln cosh 2K and the diagonal, for the cobweb.",
      fields: { K: "K", K_next: "K'", diagonal: "K" },
    },
    ising2d: {
      doc: "Running means of the Wolff sampler's energy and |m| per spin, every 100 sweeps.",
      fields: {
        temperature: "T",
        size: "L",
        sweep: "sweeps after equilibrating",
        energy: "mean energy per spin so far",
        magnetisation: "mean |m| so far",
        exact: "Onsager's energy per spin (infinite lattice)",
        exact_finite: "Kaufman's exact energy of the L × L torus",
        exact_magnetisation: "Yang's spontaneous magnetisation (0 above T_c)",
      },
      series: ["temperature"],
    },
    onsager: {
      notation: { inverse_size: "1/L" },
      doc: "The sampler against Onsager at T_c: L = 16, 32, 64 and their 1/L extrapolation.",
      fields: {
        size: "L (null: extrapolated to L = ∞ from the two largest)",
        inverse_size: "1/L (0 for the extrapolation)",
        energy: "measured energy per spin",
        standard_error: "its standard error (batch means)",
        exact_finite: "Kaufman's exact value on the torus (null for ∞)",
        onsager: "−√2",
        relative_error: "|energy − onsager|/√2",
      },
    },
    rbm: {
      notation: { reconstruction_error: "reconstruction error" },
      doc: "Reconstruction error of each layer's CD-1 training, every 10 batches.",
      fields: { layer: "1, 2, 3", step: "batch", reconstruction_error: "mean (v − p(v|h))²" },
      series: ["layer"],
    },
    receptive: {
      doc: "Receptive fields W1⋯Wℓ of four typical units of each layer, on the lattice.",
      fields: {
        layer: "ℓ",
        unit: "1–4: the units at the 20th, 40th, 60th and 80th percentiles of locality",
        i: "lattice column",
        j: "lattice row",
        weight: "the field, scaled to a largest |weight| of 1",
      },
    },
    fields: {
      notation: {
        uniform_radius: "radius, if spread evenly",
        uniform_locality: "locality, if spread evenly",
      },
      doc: "Each layer's receptive fields on average.",
      fields: {
        layer: "ℓ",
        units: "units in the layer",
        radius: "mean radius √(Σw²d²/Σw²) about the field's peak",
        locality: "mean fraction of Σw² within distance 3 of the peak",
        uniform_radius: "the radius of a field spread over the whole lattice",
        uniform_locality: "the same fraction for it",
      },
    },
    flow: {
      doc:
        "The layers' units as block spins (sign of the field's overlap with a configuration), for samples below, at and above T_c.",
      fields: {
        temperature: "T of the samples",
        layer: "0 = the lattice itself",
        magnetisation: "⟨|Σ oᵢsᵢ|/n⟩",
        correlation: "⟨oᵢsᵢ oⱼsⱼ⟩, j the nearest unit to i",
      },
      series: ["temperature"],
    },
  },
  panels: [
    {
      kind: "series",
      id: "gate-lambda",
      title: "Multiplication with four neurons: error against λ, measured and the λ² Taylor term",
      stream: "gate-lambda",
      x: "lambda",
      y: "max_rel_error",
      group: "curve",
      xLog: true,
      yLog: true,
    },
    {
      kind: "series",
      id: "neurons",
      title: "Trained nets: test error against neurons, one hidden layer vs a deep tree",
      stream: "gate",
      x: "neurons",
      y: "test_error",
      group: "kind",
      filter: { field: "kind", value: ["trained-shallow", "trained-deep"] },
      xLog: true,
      yLog: true,
    },
    {
      kind: "series",
      id: "training",
      title: "Training loss of the product nets",
      stream: "training",
      x: "step",
      y: "loss",
      group: "net",
      yLog: true,
    },
    {
      kind: "table",
      id: "activations",
      title: "σ''(0) ≠ 0 is all the gate needs",
      stream: "activations",
    },
    {
      kind: "series",
      id: "decimation",
      title: "Decimation: the coupling K flows to the fixed point K* = 0",
      stream: "ising1d",
      x: "step",
      y: "K",
    },
    {
      kind: "series",
      id: "free-energy",
      title: "Free energy from the recursion against ln(2 cosh K): error per step",
      stream: "ising1d",
      x: "step",
      y: "error",
      yLog: true,
    },
    {
      kind: "series",
      id: "rg-map",
      title: "The RG map K' = ½ ln cosh 2K (dashed: K' = K)",
      stream: "rg-map",
      x: "K",
      y: "K_next",
      lines: ["diagonal"],
      labels: { K_next: "K'", diagonal: "K' = K" },
    },
    {
      kind: "heatmap",
      id: "receptive",
      title: "Receptive fields W1⋯Wℓ on the lattice: rows are layers",
      stream: "receptive",
      x: "i",
      y: "j",
      fill: ["weight"],
      facet: { x: "unit", y: "layer" },
      diverging: true,
    },
    {
      kind: "series",
      id: "flow",
      title: "Block spins across layers: nearest-neighbour correlation",
      stream: "flow",
      x: "layer",
      y: "correlation",
      group: "temperature",
    },
    {
      kind: "series",
      id: "rbm-loss",
      title: "CD-1 reconstruction error per layer",
      stream: "rbm",
      x: "step",
      y: "reconstruction_error",
      group: "layer",
    },
    {
      kind: "series",
      id: "sampler",
      title: "Wolff sampler: energy per spin (dashed: Kaufman's exact torus value)",
      stream: "ising2d",
      x: "sweep",
      y: "energy",
      group: "temperature",
      lines: ["exact_finite"],
    },
    {
      kind: "series",
      id: "onsager",
      title: "Energy per spin at T_c against 1/L: the sampler, Kaufman's torus, Onsager's −√2",
      stream: "onsager",
      x: "inverse_size",
      y: "energy",
      lines: ["exact_finite", "onsager"],
      labels: { energy: "Wolff sampler", exact_finite: "Kaufman (exact, L × L)", onsager: "−√2" },
    },
    { kind: "table", id: "fields", title: "Receptive fields per layer", stream: "fields" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      if (p.part === "gates") yield* gates(p, ctx);
      else if (!ctx.mine(0)) return; // split over workers, the other parts are shard 1's alone
      else if (p.part === "decimation") yield* decimation(p);
      else yield* rbm(p, ctx);
    });
  },
});
