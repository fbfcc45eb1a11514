/**
 * nngp: infinitely wide networks as Gaussian processes (Lee et al. 2018) and the neural
 * tangent kernel (Jacot et al. 2018; Lee et al. 2019), against finite networks on MNIST.
 * The kernels' layer recursion is src/signal's covariance map applied to every pair of
 * inputs (src/gp); the phase diagram of generalisation reuses the critical line. The run's
 * three parts are src/gp/kernel_part.ts, finite_part.ts and grid_part.ts.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { type ActivationName } from "../src/signal/activations.ts";
import { gpDigits, MAX_TEST, MAX_TRAIN } from "../src/gp/data.ts";
import { dotProducts } from "../src/gp/dots.ts";
import { kernelsAndFits } from "../src/gp/kernel_part.ts";
import { finiteNets, finiteWork } from "../src/gp/finite_part.ts";
import { generalisationGrid } from "../src/gp/grid_part.ts";

const LEE = "Lee et al. 2018 (arXiv:1711.00165)";
const LEE19 = "Lee et al. 2019 (arXiv:1902.06720)";
const ACTS = ["tanh", "relu", "erf", "linear"] as const;

export default definePipeline({
  id: "nngp",
  title: "Networks as Gaussian processes: the NNGP and NTK against finite nets",
  cite: `${LEE}, Eq. 4, Figs. 1, 3, 4; ${LEE19}`,
  description:
    "An infinitely wide deep net is a Gaussian process whose kernel is the covariance map applied to every pair of inputs; trained by gradient descent it predicts with its tangent kernel. Both predict MNIST digits here, finite nets of growing width close in on the kernel's prediction, and the best kernels lie near the order-to-chaos line.",
  memory: ["n_train", "n_test"],
  params: {
    activation: {
      kind: "enum",
      values: ACTS,
      default: "tanh",
      help: "φ (ReLU and erf kernels in closed form; tanh by a lattice over the correlation)",
      cite: `${LEE}, Fig. 4 (tanh and ReLU)`,
    },
    depth: {
      kind: "number",
      default: 5,
      min: 1,
      max: 100,
      integer: true,
      help: "L, hidden layers",
    },
    sigma_w2: {
      kind: "number",
      default: 2,
      min: 0.01,
      max: 10,
      help: "σw², the weight variance (positive)",
    },
    sigma_b2: {
      kind: "number",
      default: 0.2,
      min: 0,
      max: 5,
      help: "σb², the bias variance",
    },
    n_train: {
      kind: "number",
      default: 1000,
      min: 10,
      max: MAX_TRAIN,
      integer: true,
      help:
        `training digits, a multiple of 10 (balanced; at most ${MAX_TRAIN}, the first 600 of each class)`,
      cite: `${LEE}, Table 1 (1k training points: 0.9279 ReLU GP)`,
    },
    n_test: {
      kind: "number",
      default: 2000,
      min: 10,
      max: MAX_TEST,
      integer: true,
      help: `held-out digits, a multiple of 10 (digits 600–859 of each class, never trained on)`,
    },
    jitter: {
      kind: "number",
      default: 1e-8,
      min: 1e-14,
      max: 1,
      help: "ε added to the kernel's diagonal, relative to it",
    },
    widths: {
      kind: "number",
      default: 4,
      min: 0,
      max: 6,
      integer: true,
      help: "finite nets: 64, 128, … (this many; 0 for none)",
    },
    n_finite: {
      kind: "number",
      default: 200,
      min: 10,
      max: 1000,
      integer: true,
      help: "training digits of the finite nets (full-batch gradient descent), a multiple of 10",
    },
    steps: {
      kind: "number",
      default: 100,
      min: 1,
      max: 5000,
      integer: true,
      help: "gradient-descent steps of the finite nets (η = n/λ_max of the NTK)",
      cite: `${LEE19}, §2.4`,
    },
    grid_depth: {
      kind: "number",
      default: 100,
      min: 1,
      max: 200,
      integer: true,
      help:
        "L of the (σw², σb²) grid's kernels: deep, so that kernels off the critical line forget their inputs",
      cite: `${LEE}, Fig. 4`,
    },
    grid_points: {
      kind: "number",
      default: 10,
      min: 1,
      max: 40,
      integer: true,
      help: "grid points per axis (each a GP fit at grid_depth: ≈ 0.25 s)",
    },
    grid_sigma_w2_max: {
      kind: "number",
      default: 4,
      min: 0.1,
      max: 10,
      help: "the grid's σw² runs from 0.5 to this",
    },
    grid_sigma_b2_max: {
      kind: "number",
      default: 1,
      min: 0,
      max: 5,
      help: "the grid's σb² runs from 0 to this",
    },
  },
  check(p) {
    for (const k of ["n_train", "n_test", "n_finite"] as const) {
      if (p[k] % 10 !== 0) {
        throw new ParamError(k, `must be a multiple of 10 (balanced over classes), not ${p[k]}`);
      }
    }
    if (p.widths > 0 && p.n_finite > p.n_train) {
      throw new ParamError(
        "n_finite",
        `must not exceed n_train (${p.n_train}): the finite nets train on its first digits`,
      );
    }
    if (p.grid_sigma_w2_max <= 0.5 && p.grid_points > 1) {
      throw new ParamError("grid_sigma_w2_max", "must exceed the grid's lowest σw², 0.5");
    }
  },
  streams: {
    lattice: {
      notation: {
        max_error_pair: "max |E φφ − lattice|",
        max_error_slope: "max |E φ′φ′ − lattice|",
      },
      doc: "How exact the tabulated layer map is: its largest error against direct 2-D quadrature.",
      fields: {
        activation: "φ",
        points: "lattice points over c ∈ [−1, 1] (0: closed form)",
        max_error_pair: "largest |E φφ − lattice| at the first layer's q",
        max_error_slope: "largest |E φ'φ' − lattice|",
      },
    },
    kernel: {
      notation: { mean_correlation: "mean K^l(x, x′)/q" },
      doc: "The NNGP kernel layer by layer: the training pairs' correlations against the c-map.",
      fields: {
        layer: "l (0: the first layer's pre-activations)",
        q: "the diagonal K^l(x, x)",
        mean_correlation: "mean K^l(x, x')/q over training pairs",
        std_correlation: "their spread",
        c_map: "the c-map iterated from the layer-0 mean (src/signal)",
        c_star: "the c-map's fixed point",
      },
    },
    gp: {
      notation: { n_train: "training digits" },
      doc: "Held-out accuracy against the number of training digits.",
      fields: {
        n_train: "training digits",
        kernel: '"nngp", "ntk" (converged gradient descent) or "width N net" (trained finite nets)',
        accuracy: "held-out accuracy",
        mse: "held-out mean squared error over the ten centred one-hot outputs",
        source: '"theory" (kernels) or "simulation" (nets)',
      },
      series: ["kernel"],
    },
    uncertainty: {
      doc: "The NNGP's predictive variance against its error, held-out digits binned by variance.",
      fields: {
        bin: "1 … 10, by variance",
        variance: "mean predictive variance",
        error: "mean squared error",
      },
    },
    finite: {
      doc:
        "Finite nets (NTK parametrisation, f − f₀, full-batch gradient descent) against their kernel after the same steps.",
      fields: {
        width: "N",
        step: "gradient-descent steps",
        accuracy: "held-out accuracy (theory: the NTK's linear model after the same steps)",
        distance_to_kernel:
          "|f_net − f_NTK| / |f_NTK| on held-out digits (theory: a 1/√N line through the narrowest net)",
        source: '"theory" or "simulation"',
      },
      series: ["source"],
    },
    grid: {
      notation: { sigma_w2: "σw²", sigma_b2: "σb²", xi_c: "ξ_c", chi1: "χ1" },
      doc:
        "The NNGP's held-out accuracy over (σw², σb²) at depth grid_depth (200 training, 300 held-out digits).",
      fields: {
        sigma_w2: "σw²",
        sigma_b2: "σb²",
        accuracy: "held-out accuracy",
        chi1: "χ1 at this point",
        xi_c: "ξ_c (null on the critical line)",
      },
    },
    "critical-line": {
      doc: "χ1 = 1 across the grid (src/signal, as the phase diagram finds it).",
      fields: { sigma_b2: "σb²", sigma_w2: "σw² where χ1 = 1" },
    },
  },
  panels: [
    {
      kind: "series",
      id: "accuracy",
      title: "Held-out accuracy: NNGP, NTK and trained nets",
      stream: "gp",
      x: "n_train",
      y: "accuracy",
      group: "kernel",
      by: "source",
      xLog: true,
    },
    {
      kind: "series",
      id: "calibration",
      title: "The GP's variance tracks its error",
      stream: "uncertainty",
      x: "variance",
      y: "error",
      points: true,
    },
    {
      kind: "series",
      id: "finite",
      title: "Finite nets approach the NTK's prediction",
      stream: "finite",
      x: "width",
      y: "distance_to_kernel",
      by: "source",
      xLog: true,
      yLog: true,
      yLabel: "|f_net − f_NTK| / |f_NTK|",
    },
    {
      kind: "series",
      id: "finite-accuracy",
      title: "Finite nets' accuracy against the NTK's after the same steps",
      stream: "finite",
      x: "width",
      y: "accuracy",
      by: "source",
      xLog: true,
    },
    {
      kind: "heatmap",
      id: "grid",
      title: "Generalisation over (σw², σb²), with χ1 = 1",
      stream: "grid",
      x: "sigma_w2",
      y: "sigma_b2",
      fill: ["accuracy", "xi_c", "chi1"],
      overlay: { stream: "critical-line", x: "sigma_w2", y: "sigma_b2" },
    },
    {
      kind: "series",
      id: "kernel",
      title: "The kernel's correlations with depth",
      stream: "kernel",
      x: "layer",
      y: "mean_correlation",
      lines: ["c_map", "c_star"],
      labels: { mean_correlation: "kernel (mean over pairs)", c_map: "c-map", c_star: "c*" },
    },
    { kind: "table", id: "lattice", title: "Lattice error", stream: "lattice" },
  ],
  shardable: "the (σw², σb²) grid of GP fits (shard 0 also computes everything else)",
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const data = gpDigits(p.n_train, p.n_test);
      const dots = dotProducts(ctx.tf, data.train.x, data.test.x);
      await ctx.tick();
      const inputs = { name: p.activation as ActivationName, data, dots };
      const progress = { done: 0, total: finiteWork(p) + p.grid_points * p.grid_points };
      // split over workers (`shardable`): shard 1 (item 0) computes all but the grid
      if (ctx.mine(0)) {
        const kernels = yield* kernelsAndFits(p, ctx, inputs);
        yield* finiteNets(p, ctx, inputs, kernels, progress);
      }
      yield* generalisationGrid(p, ctx, inputs, progress);
    });
  },
});
