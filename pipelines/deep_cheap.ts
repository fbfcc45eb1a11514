/**
 * deep-cheap: why deep and cheap learning works (Lin, Tegmark & Rolnick 2017; Rolnick &
 * Tegmark 2018; Mehta & Schwab 2014), in three parts chosen by `part`, each a slide:
 * multiplication gates and the cost of flattening; decimation of the 1-D Ising chain; stacked
 * RBMs on 2-D Ising samples. The science is src/cheap.
 */
import { definePipeline, type Emit, type RunContext } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError, type ParamsSchema, type ParamValues } from "../src/params/schema.ts";
import { activation, ACTIVATIONS } from "../src/cheap/activations.ts";
import {
  balancedTree,
  boxPoints,
  evalShallow,
  evalTree,
  gateTaylorError,
  maxRelativeError,
  multiplicationGate,
  shallowProduct,
  shallowTaylorError,
  treeTaylorError,
} from "../src/cheap/gates.ts";
import {
  deepNet,
  productData,
  productLoss,
  type ProductNet,
  shallowNet,
  trainProduct,
} from "../src/cheap/trained.ts";
import {
  decimate,
  decimationFlow,
  exactFreeEnergy,
  ringFreeEnergy,
} from "../src/cheap/decimation.ts";
import {
  kaufmanEnergy,
  onsagerEnergy,
  onsagerMagnetisation,
  T_CRITICAL,
} from "../src/cheap/ising.ts";
import { sampleIsing, trainStack } from "../src/cheap/stack.ts";
import {
  blockSpins,
  effectiveFields,
  fieldShape,
  nearestNeighbours,
  order,
  uniformShape,
} from "../src/cheap/rg.ts";
import { batchMeans, meanAndError } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";

const LTR = "Lin, Tegmark & Rolnick 2017 (J. Stat. Phys. 168)";
const RT = "Rolnick & Tegmark 2018 (ICLR)";
const MS = "Mehta & Schwab 2014 (arXiv:1410.3831)";
/** λ points per decade of the gate sweep */
const LAMBDA_POINTS = 13;
/** the trained shallow nets' widths, as powers of two up to 2ⁿ */
const shallowWidths = (n: number) => Array.from({ length: n - 1 }, (_, k) => 2 ** (k + 2));
/** neurons per block of the trained deep nets */
const BLOCK_SIZES = [3, 4];
/** receptive fields streamed per layer (the strongest-weighted units) */
const FIELDS_SHOWN = 4;
/** the flow's temperatures besides the training one: below and above T_c */
const FLOW_TEMPERATURES = [2.0, 2.6];
/** lattices of the finite-size check of the sampler at T_c */
const CHECK_SIZES = [16, 32, 64];

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

/** the resolved params each part reads */
type P = ParamValues<typeof PARAMS>;

export default definePipeline({
  id: "deep-cheap",
  title: "Deep and cheap: multiplication gates, no flattening, and renormalisation",
  cite: `${LTR}; ${RT}; ${MS}`,
  description:
    "Why deep nets are cheap: four neurons multiply, a deep tree of them multiplies n numbers with 4(n − 1) neurons where one hidden layer needs 2ⁿ; decimation of the Ising chain runs to its fixed point; stacked RBMs trained on critical Ising samples learn local, block-spin-like receptive fields.",
  params: PARAMS,
  shardable:
    "part gates' trained nets, one item per block size and per shallow width (shard 1 also computes the constructed gates; the other parts run whole on shard 1)",
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

const logspace = (lo: number, hi: number, count: number) =>
  Array.from({ length: count }, (_, k) => lo * (hi / lo) ** (k / (count - 1)));

async function* gates(p: P, ctx: RunContext): AsyncGenerator<Emit> {
  // the points every error is measured on, drawn (as every later number) on every shard
  const pairs = boxPoints(2, 400, () => ctx.rng.uniform());
  const box = boxPoints(p.n, 400, () => ctx.rng.uniform());
  // split over workers, the constructed nets (cheap) are shard 1's; the trained ones are split
  for (const e of constructedGates(p, pairs, box)) {
    if (ctx.mine(0)) yield e;
    await ctx.tick();
  }
  yield* trainedGates(p, ctx, box);
}

/** The activations' gate coefficients and the constructed gates, shallow nets and trees over λ. */
function* constructedGates(
  p: P,
  pairs: ReturnType<typeof boxPoints>,
  box: ReturnType<typeof boxPoints>,
): Generator<Emit> {
  const n = p.n;
  for (const name of ACTIVATIONS) {
    const a = activation(name);
    const s2 = a.derivative(2, 0), s4 = a.derivative(4, 0);
    yield {
      stream: "activations",
      row: {
        activation: name,
        sigma2: s2,
        sigma4: s4,
        coefficient: s2 === 0 ? null : Math.abs(s4 / (3 * s2)),
        works: s2 !== 0,
      },
    };
  }
  const softplus = activation("softplus");
  const tree = balancedTree(0, n);
  const lambdas = logspace(p.lambda_min, p.lambda_max, LAMBDA_POINTS);
  for (const lambda of lambdas) {
    for (const name of ACTIVATIONS) {
      const a = activation(name);
      const curve = `gate, ${name}`;
      // tanh is odd: σ(u) + σ(−u) ≡ 0, so its gate outputs 0 at every λ (error 100%)
      const g = multiplicationGate(a, lambda);
      const error = maxRelativeError((x) => evalShallow(g, a.f, x), 2, pairs);
      yield* constructedRows(
        constructed(curve, name, 2, 4, lambda, error),
        a.derivative(2, 0) === 0 ? 1 : Math.abs(gateTaylorError(a, lambda, 1, 1)),
      );
    }
    const shallow = shallowProduct(softplus, n, lambda);
    const sCurve = `shallow, n = ${n} (2ⁿ = ${2 ** n})`;
    yield* constructedRows(
      constructed(
        sCurve,
        "softplus",
        n,
        2 ** n,
        lambda,
        maxRelativeError((x) => evalShallow(shallow, softplus.f, x), n, box),
      ),
      Math.abs(shallowTaylorError(softplus, n, lambda, n)),
    );
    const gate = multiplicationGate(softplus, lambda);
    const dCurve = `deep tree, n = ${n} (4(n − 1) = ${4 * (n - 1)})`;
    yield* constructedRows(
      constructed(
        dCurve,
        "softplus",
        n,
        4 * (n - 1),
        lambda,
        maxRelativeError(
          (x) => evalTree(tree, (u, v) => evalShallow(gate, softplus.f, [u, v]), x),
          n,
          box,
        ),
      ),
      Math.abs(treeTaylorError(softplus, n, lambda)),
    );
  }
}

/**
 * The trained deep trees (one per block size) and shallow nets (one per width): items of the
 * sweep, each on a random stream of its own seeded in order from the run's, so every shard
 * draws the same numbers for the items it trains.
 */
async function* trainedGates(
  p: P,
  ctx: RunContext,
  box: ReturnType<typeof boxPoints>,
): AsyncGenerator<Emit> {
  const n = p.n;
  const tree = balancedTree(0, n);
  // trained nets: the same data for all
  const train = productData(n, p.train_size, ctx.rng), test = productData(n, 4096, ctx.rng);
  const pair = productData(2, p.train_size, ctx.rng);
  const widths = shallowWidths(n);
  const total = (widths.length + 2 * BLOCK_SIZES.length) * p.steps;
  let done = 0;
  const fit = async function* (
    net: ProductNet,
    data: typeof train,
    label: string,
    lr = 0.01,
  ) {
    const losses: { step: number; loss: number }[] = [];
    await trainProduct(net, data, { steps: p.steps, lr }, async (step, loss) => {
      if (step % 50 === 0) losses.push({ step, loss });
      if (step % 100 === 0) {
        ctx.progress(done + step, total);
        await ctx.tick();
      }
    });
    done += p.steps;
    for (const l of losses) yield { stream: "training", row: { net: label, ...l } };
  };
  const trainedRow = (net: ProductNet) => ({
    curve: `trained ${net.kind}`,
    kind: `trained-${net.kind}`,
    activation: "softplus",
    n,
    neurons: net.neurons,
    lambda: null,
    max_rel_error: maxRelativeError((x) => net.forward(x), n, box),
    test_error: productLoss(net, test),
  });
  const seeds = [...BLOCK_SIZES, ...widths].map(() => ctx.rng.int32());
  for (const [i, k] of BLOCK_SIZES.entries()) {
    if (!ctx.mine(i)) continue;
    // every weight learned: one block first learns xy (from a random start), is copied into
    // every node of the tree, and the whole tree is then trained on x1⋯xn. From a random
    // start the tree sits on a plateau (its output is uncorrelated with Πx to first order).
    const rng = new Rng(seeds[i]);
    const block = deepNet([0, 1], k, new Rng(rng.int32()));
    yield* fit(block, pair, `block of ${k}, on xy`, 0.05); // a small net: a larger step is stable
    const net = deepNet(tree, k, rng, block.theta);
    yield* fit(net, train, `deep-${net.neurons}`);
    yield { stream: "gate", row: trainedRow(net) };
  }
  for (const [j, width] of widths.entries()) {
    const i = BLOCK_SIZES.length + j;
    if (!ctx.mine(i)) continue;
    const net = shallowNet(n, width, new Rng(seeds[i]));
    yield* fit(net, train, `shallow-${width}`);
    yield { stream: "gate", row: trainedRow(net) };
  }
}

/** a constructed net's row, and its point and Taylor value for the λ panel */
function* constructedRows(row: ReturnType<typeof constructed>, taylor: number): Generator<Emit> {
  yield { stream: "gate", row };
  const { curve, lambda } = row;
  yield {
    stream: "gate-lambda",
    row: { curve, lambda, max_rel_error: row.max_rel_error, source: "simulation" },
  };
  yield { stream: "gate-lambda", row: { curve, lambda, max_rel_error: taylor, source: "theory" } };
}

function constructed(
  curve: string,
  act: string,
  n: number,
  neurons: number,
  lambda: number,
  error: number,
) {
  return {
    curve,
    kind: "constructed",
    activation: act,
    n,
    neurons,
    lambda,
    max_rel_error: error,
    test_error: null,
  };
}

async function* decimation(p: P): AsyncGenerator<Emit> {
  const exact = exactFreeEnergy(p.coupling);
  for (const s of decimationFlow(p.coupling, p.decimations)) {
    const error = Math.abs(s.fRecursion - exact);
    yield {
      stream: "ising1d",
      row: {
        step: s.step,
        K: s.K,
        f_recursion: s.fRecursion,
        f_exact: exact,
        f_ring: ringFreeEnergy(p.coupling, 2 ** (s.step + 1)),
        error: error === 0 ? null : error,
      },
    };
  }
  const top = Math.max(p.coupling, 0.5) * 1.05;
  for (let k = 0; k <= 60; k++) {
    const K = top * k / 60;
    yield { stream: "rg-map", row: { K, K_next: decimate(K), diagonal: K } };
  }
}

async function* rbm(p: P, ctx: RunContext): AsyncGenerator<Emit> {
  const L = p.size;
  const sizes = [(L / 2) ** 2, (L / 4) ** 2, (L / 8) ** 2];
  const batch = 50;
  const temps = [...new Set([p.temperature, ...FLOW_TEMPERATURES, T_CRITICAL])];
  const flowCount = 500;
  const totalBatches = sizes.length * p.epochs * Math.floor(p.samples / batch);
  const sampling = p.samples + flowCount * temps.length + 2000 * CHECK_SIZES.length;
  const total = sampling + totalBatches;
  let done = 0;
  // running means of a sampler's energy and |m|, a row every 100 sweeps, beside the exact
  // values (one computation per lattice and temperature)
  const samplerRows = (T: number, size: number) => {
    const exact = {
      exact: onsagerEnergy(T),
      exact_finite: kaufmanEnergy(size, T),
      exact_magnetisation: onsagerMagnetisation(T),
    };
    let e = 0, m = 0;
    return async (k: number, s: { energy: Float64Array; magnetisation: Float64Array }) => {
      done++;
      e += s.energy[k];
      m += s.magnetisation[k];
      if ((k + 1) % 100 !== 0) return;
      const sweep = k + 1;
      rows.push({
        stream: "ising2d",
        row: {
          temperature: shown(T),
          size,
          sweep,
          energy: e / sweep,
          magnetisation: m / sweep,
          ...exact,
        },
      });
      ctx.progress(done, total);
      await ctx.tick();
    };
  };
  const rows: Emit[] = [];
  const flush = function* () {
    yield* rows.splice(0);
  };
  // the sampler against Onsager at T_c: three sizes, and the 1/L extrapolation
  const check: { size: number; energy: number }[] = [];
  for (const size of CHECK_SIZES) {
    const s = await sampleIsing(size, T_CRITICAL, 2000, ctx.rng, samplerRows(T_CRITICAL, size));
    yield* flush();
    const { mean, stderr } = meanAndError(batchMeans(s.energy, 20));
    check.push({ size, energy: mean });
    yield {
      stream: "onsager",
      row: {
        size,
        inverse_size: 1 / size,
        energy: mean,
        standard_error: stderr,
        exact_finite: kaufmanEnergy(size, T_CRITICAL),
        onsager: -Math.SQRT2,
        relative_error: Math.abs(mean + Math.SQRT2) / Math.SQRT2,
      },
    };
  }
  // u(L) ≈ u∞ + a/L at T_c (the torus's leading correction): from the two largest lattices
  const [a, b] = check.slice(-2);
  const extrapolated = (b.size * b.energy - a.size * a.energy) / (b.size - a.size);
  yield {
    stream: "onsager",
    row: {
      size: null,
      inverse_size: 0,
      energy: extrapolated,
      standard_error: null,
      exact_finite: null,
      onsager: -Math.SQRT2,
      relative_error: Math.abs(extrapolated + Math.SQRT2) / Math.SQRT2,
    },
  };
  const data = await sampleIsing(
    L,
    p.temperature,
    p.samples,
    ctx.rng,
    samplerRows(p.temperature, L),
  );
  yield* flush();
  const layers = await trainStack(
    data,
    { sizes, epochs: p.epochs, batch, lr: p.learning_rate, l1: p.l1 },
    ctx.rng,
    async (layer, step, error) => {
      done++;
      if (step % 10 === 0) {
        rows.push({ stream: "rbm", row: { layer, step, reconstruction_error: error } });
        ctx.progress(done, total);
        await ctx.tick();
      }
    },
  );
  yield* flush();
  const fields = effectiveFields(layers);
  const uniform = uniformShape(L);
  const shapes = fields.map((f, l) =>
    Array.from({ length: sizes[l] }, (_, j) => fieldShape(f, sizes[l], j, L))
  );
  for (const [l, f] of fields.entries()) {
    const n = sizes[l];
    const mean = (key: "radius" | "locality") => shapes[l].reduce((s, x) => s + x[key], 0) / n;
    yield {
      stream: "fields",
      row: {
        layer: l + 1,
        units: n,
        radius: mean("radius"),
        locality: mean("locality"),
        uniform_radius: uniform.radius,
        uniform_locality: uniform.locality,
      },
    };
    // typical fields, neither the most nor the least local: the units at the 20th, 40th, 60th
    // and 80th percentiles of locality (the strongest units are often one global field, the
    // overall magnetisation, and would hide what most units learned)
    const byLocality = shapes[l].map((x, j) => ({ j, locality: x.locality }))
      .sort((a, b) => a.locality - b.locality);
    const shown = Array.from(
      { length: FIELDS_SHOWN },
      (_, k) => byLocality[Math.floor(((k + 1) * n) / (FIELDS_SHOWN + 1))],
    );
    for (const [rank, { j }] of shown.entries()) {
      let top = 0;
      for (let i = 0; i < L * L; i++) top = Math.max(top, Math.abs(f[i * n + j]));
      for (let i = 0; i < L * L; i++) {
        yield {
          stream: "receptive",
          row: {
            layer: l + 1,
            unit: rank + 1,
            i: i % L,
            j: Math.floor(i / L),
            weight: f[i * n + j] / top,
          },
        };
      }
      await ctx.tick();
    }
  }
  // the flow: samples at each temperature, coarse-grained by every layer's fields
  const neighbours = shapes.map((s) => nearestNeighbours(s, L));
  const site = Array.from(
    { length: L * L },
    (_, i) => ({
      cx: i % L,
      cy: Math.floor(i / L),
      radius: 0,
      locality: 1,
      orientation: 1 as const,
    }),
  );
  const siteNeighbours = nearestNeighbours(site, L);
  for (const T of temps.sort((x, y) => x - y)) {
    const s = await sampleIsing(L, T, flowCount, ctx.rng, samplerRows(T, L));
    yield* flush();
    const o = order(s.spins, flowCount, site.map(() => 1), siteNeighbours);
    yield { stream: "flow", row: { temperature: shown(T), layer: 0, ...o } };
    for (const [l, f] of fields.entries()) {
      const spins = blockSpins(f, sizes[l], s.spins, flowCount);
      const r = order(spins, flowCount, shapes[l].map((x) => x.orientation), neighbours[l]);
      yield { stream: "flow", row: { temperature: shown(T), layer: l + 1, ...r } };
      await ctx.tick();
    }
  }
}

/** T as the legend shows it: T_c = 2.2691853… as 2.269 */
const shown = (T: number) => Math.round(T * 1000) / 1000;
