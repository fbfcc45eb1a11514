/**
 * deep-cheap's `gates` part (pipelines/deep_cheap.ts): the activations' gate coefficients, the
 * constructed gates, shallow products and deep trees over λ (measured beside their Taylor
 * terms), and the trained deep trees and shallow nets — Lin, Tegmark & Rolnick 2017; Rolnick &
 * Tegmark 2018. Rows as the pipeline's streams document them.
 *
 * @module
 */
import type { Emit, RunContext } from "../runtime/pipeline.ts";
import { activation, ACTIVATIONS } from "./activations.ts";
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
} from "./gates.ts";
import {
  deepNet,
  productData,
  productLoss,
  type ProductNet,
  shallowNet,
  trainProduct,
} from "./trained.ts";
import { logspace } from "../stats/mod.ts";
import { Rng } from "../random/rng.ts";
import { dealByCost } from "../runtime/deal.ts";

/** λ points of the gate sweep */
const LAMBDA_POINTS = 13;
/** the trained shallow nets' widths, as powers of two up to 2ⁿ */
const shallowWidths = (n: number) => Array.from({ length: n - 1 }, (_, k) => 2 ** (k + 2));
/** neurons per block of the trained deep nets */
const BLOCK_SIZES = [3, 4];

/** What the gates part reads of the pipeline's params. */
export interface GatesParams {
  readonly n: number;
  readonly lambda_min: number;
  readonly lambda_max: number;
  readonly steps: number;
  readonly train_size: number;
}

type P = GatesParams;

export async function* gates(p: P, ctx: RunContext): AsyncGenerator<Emit> {
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
  // split over workers, the nets are dealt out by cost: a step costs about a softplus per
  // neuron and a tenth of one per weight (the tree of blocks and the block's own training
  // on pairs: n blocks of k neurons, two inputs each; a shallow net: n inputs a neuron)
  const costs = [
    ...BLOCK_SIZES.map((k) => n * k * 1.2),
    ...widths.map((w) => w * (1 + 0.1 * n)),
  ];
  const owner = dealByCost(costs, ctx.shards);
  for (const [i, k] of BLOCK_SIZES.entries()) {
    if (!ctx.mine(owner[i])) continue;
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
    if (!ctx.mine(owner[i])) continue;
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
