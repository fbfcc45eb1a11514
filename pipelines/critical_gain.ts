/**
 * critical-gain: 30-layer tanh nets from orthogonal weights of gain g, trained by SGD on
 * MNIST across g; steps to a training-loss threshold, held-out error, and the mean-field χ1
 * of each g beside them — Saxe, McClelland & Ganguli 2014, §5. The science is src/gain.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError, type ParamsSchema } from "../src/params/schema.ts";
import { Rng } from "../src/random/rng.ts";
import { dealByCost } from "../src/runtime/deal.ts";
import { trainabilityData } from "../src/trainability/data.ts";
import {
  gainGrid,
  gainMeanField,
  type GainPoint,
  type GainResult,
  trainGains,
} from "../src/gain/critical_gain.ts";

const SMG = "Saxe, McClelland & Ganguli 2014 (arXiv:1312.6120)";
/** points of the χ1 curve across g */
const CURVE_POINTS = 120;
/** g as rows and legends carry it */
const shown = (g: number) => Math.round(g * 1000) / 1000;

const PARAMS = {
  g_min: {
    kind: "number",
    default: 0.8,
    min: 0.1,
    max: 5,
    help: "the smallest gain g (weights g·Q, Q orthogonal)",
    cite: `${SMG}, §5 (g from 1 to 2 and beyond)`,
  },
  g_max: { kind: "number", default: 2.5, min: 0.1, max: 5, help: "the largest gain g" },
  gains: {
    kind: "number",
    default: 7,
    min: 2,
    max: 24,
    integer: true,
    help: "gains trained, geometrically spaced on each side of g = 1 (which is one of them)",
  },
  depth: {
    kind: "number",
    default: 30,
    min: 1,
    max: 100,
    integer: true,
    help: "tanh layers",
    cite: `${SMG}, §5 (30 layers)`,
  },
  width: {
    kind: "number",
    default: 200,
    min: 10,
    max: 1000,
    integer: true,
    help: "units per layer (the paper's 500 costs 6× the time here)",
    cite: `${SMG}, §5 (500)`,
  },
  steps: {
    kind: "number",
    default: 1000,
    min: 50,
    max: 100000,
    integer: true,
    help: "SGD steps per gain",
  },
  lr: { kind: "number", default: 0.01, min: 1e-5, max: 1, help: "SGD's learning rate" },
  batch: {
    kind: "number",
    default: 32,
    min: 2,
    max: 512,
    integer: true,
    help: "digits per SGD step (even)",
  },
  threshold: {
    kind: "number",
    default: 0.5,
    min: 0.01,
    max: 2.3,
    help:
      "the training loss (mean cross-entropy of the last 50 minibatches) that counts as trained",
  },
} as const satisfies ParamsSchema;

export default definePipeline({
  id: "critical-gain",
  title: "The critical gain: deep tanh nets train fastest just past g = 1",
  cite: `${SMG}, §5`,
  description:
    "30-layer tanh nets from orthogonal weights scaled by a gain g, trained by SGD on MNIST. Past g = 1, the edge of chaos for tanh without biases (χ1 crosses 1), they reach a training-loss threshold in fewer steps than any g ≤ 1; much larger gains train slowly and generalise worse.",
  memory: ["width", "batch"],
  params: PARAMS,
  check(p) {
    if (p.g_min >= p.g_max) throw new ParamError("g_min", `must be below g_max (${p.g_max})`);
    if (p.batch % 2 !== 0) throw new ParamError("batch", `must be even, not ${p.batch}`);
  },
  streams: {
    gain: {
      notation: {
        steps_to_threshold: "steps to the threshold",
        steps_run: "steps run",
        train_loss: "training loss",
        test_error: "held-out error",
        chi1: "χ1",
        q_star: "q*",
      },
      doc:
        "One trained net per gain: steps until the last 50 minibatch losses average ≤ threshold (null: never), the whole training set's loss and the held-out error after the run, and the mean field at g².",
      fields: {
        g: "the gain",
        steps_to_threshold: "SGD steps (null if never reached)",
        steps_run: "the steps each net ran",
        train_loss: "mean cross-entropy on the 4,000 training digits",
        test_error: "1 − accuracy on 963 held-out digits",
        chi1: "mean-field χ1 at σw² = g², σb² = 0",
        q_star: "q*",
        phase: '"ordered" or "chaotic"',
        diverged: "whether the loss stopped being finite",
      },
    },
    curve: {
      doc: "Each net's training loss, the mean of every 10 minibatches.",
      fields: { g: "the gain", step: "SGD step", loss: "cross-entropy" },
      series: ["g"],
    },
    meanfield: {
      notation: { chi1: "χ1", edge: "χ1 = 1" },
      doc: "The mean-field χ1 of orthogonal tanh nets across g (σw² = g², no biases).",
      fields: { g: "the gain", chi1: "χ1", edge: "1 (the edge of chaos)" },
    },
  },
  panels: [
    {
      kind: "series",
      id: "curve",
      title: "Training loss of 30-layer tanh nets from W = g·Q",
      stream: "curve",
      x: "step",
      y: "loss",
      group: "g",
    },
    {
      kind: "series",
      id: "speed",
      title: "Steps to the loss threshold: fewest just past g = 1 (none: never reached)",
      stream: "gain",
      x: "g",
      y: "steps_to_threshold",
      points: true,
    },
    {
      kind: "series",
      id: "error",
      title: "Held-out error: large g costs generalisation",
      stream: "gain",
      x: "g",
      y: "test_error",
      points: true,
    },
    {
      kind: "series",
      id: "chi1",
      title: "Mean-field χ1: the edge of chaos at g = 1",
      stream: "meanfield",
      x: "g",
      y: "chi1",
      lines: ["edge"],
      labels: { chi1: "χ1 (mean field)", edge: "χ1 = 1" },
    },
    { kind: "table", id: "gains", title: "Gains", stream: "gain" },
  ],
  shardable: "the gains",
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const gains = gainGrid(p.g_min, p.g_max, p.gains);
      if (ctx.mine(0)) {
        for (let k = 0; k < CURVE_POINTS; k++) {
          const g = p.g_min * (p.g_max / p.g_min) ** (k / (CURVE_POINTS - 1));
          yield { stream: "meanfield", row: { g, chi1: gainMeanField(g).chi1, edge: 1 } };
        }
      }
      const data = trainabilityData();
      // each gain its own random stream, drawn before dealing: the same nets however the
      // sweep is split over workers; every gain costs the same, so the deal is even
      const seeds = gains.map(() => ctx.rng.int32());
      const owner = dealByCost(gains.map(() => 1), ctx.shards);
      // this worker's gains in groups the float32 engine trains at once (one at a time on
      // wasm, so the rows stream as before; many to a GPU dispatch)
      const ours = gains.map((g, k) => ({ g, k })).filter(({ k }) => ctx.mine(owner[k]));
      const size = ctx.float32.group;
      let done = 0;
      for (let at = 0; at < ours.length; at += size) {
        const group = ours.slice(at, at + size);
        const run = trainGains(
          group.map(({ g }) => ({ ...p, g })),
          data,
          group.map(({ k }) => new Rng(seeds[k])),
          ctx.tick,
          ctx.float32,
        );
        let r: IteratorResult<GainPoint, GainResult[]>;
        while (!(r = await run.next()).done) {
          const { z, step, loss } = r.value;
          ctx.progress(done + step * group.length, ours.length * p.steps);
          yield { stream: "curve", row: { g: shown(group[z].g), step, loss } };
        }
        done += p.steps * group.length;
        for (const [z, { g }] of group.entries()) {
          yield {
            stream: "gain",
            row: { g: shown(g), ...r.value[z], steps_run: p.steps, ...gainMeanField(g) },
          };
        }
      }
    });
  },
});
