/**
 * image-diffusion's run (pipelines/image_diffusion.ts): a Gaussian diffusion model (model.ts,
 * an MLP over the patch with time-dependent readouts) trained on dead-leaves patches or MNIST
 * digits by the batched float32 trainer (the kernel pool's shards, or WebGPU), its bound K in
 * bits per pixel on held-out images beside the Gaussian and factorial baselines, samples beside
 * training images, and — with a mask — inpainting: the reverse chain completing masked images,
 * scored by a classifier trained in the project (the SIMD MLP) on other digits.
 *
 * Why an MLP over the patch and not a convolutional net: the MLP is the reverse model the
 * project already trains batched in float32 on every core and on WebGPU (simd_model.ts,
 * gpu_model.ts) and holds to a float64 reference; at 8 × 8 and 14 × 14 it reaches the claims in
 * minutes (docs/pipelines/image-diffusion.md), where a convolution would need new kernels.
 *
 * @module
 */
import type { Emit, RunContext } from "../runtime/pipeline.ts";
import { RunError } from "../runtime/pipeline.ts";
import type { Rng } from "../random/rng.ts";
import { SimdMlp } from "../compute/simd_mlp.ts";
import { drawPrior, ReverseModel, sampleReverse } from "./model.ts";
import { makeSchedule } from "./schedule.ts";
import { bound } from "./bound.ts";
import { float32Net, trainReverse } from "./train.ts";
import { baselines } from "./baselines.ts";
import { type Axes, inpaintMean } from "./inpaint.ts";
import { fromAxes, gaussianBase, principalAxes, toAxes } from "./gaussian_base.ts";
import {
  deadLeavesPatches,
  dequantise,
  fitScaling,
  mnistPatches,
  type Scaling,
  toGrey,
} from "./images.ts";

export const IMAGE_DATASETS = ["dead-leaves", "mnist"] as const;
export type ImageDataset = typeof IMAGE_DATASETS[number];
/** the reverse kernel the network perturbs: the forward one (the paper's) or the fitted Gaussian's */
export const KERNEL_BASES = ["forward", "gaussian"] as const;
export type KernelBaseName = typeof KERNEL_BASES[number];

/** What the run reads of the pipeline's params (resolved: no zeros left). */
export interface ImageRunParams {
  readonly dataset: ImageDataset;
  readonly patch: number;
  readonly steps: number;
  readonly beta_min: number;
  readonly beta_max: number;
  readonly hidden: number;
  readonly layers: number;
  readonly basis: number;
  /** "gaussian": the model works on the training set's principal axes, perturbing the fitted
   * Gaussian's exact reverse kernel (gaussian_base.ts) */
  readonly base: KernelBaseName;
  readonly train_steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly train_size: number;
  readonly test_size: number;
  readonly evals: number;
  readonly samples: number;
  /** rows of the patch masked from the bottom for inpainting (0: no inpainting) */
  readonly mask_rows: number;
  /** passes of each reverse step in inpainting (1: the paper's) */
  readonly resample: number;
  /** resample only the steps t > resample_above × T (0: every step) */
  readonly resample_above: number;
  /** independent chains per image, the scored completion their mean (1: one sample) */
  readonly chains: number;
}

/** Images shown per set in a panel (samples, training images, inpainted digits). */
const SHOWN = 8;
/** the inpainting frames shown: these fractions of T (1: pure noise; 0: the completion) */
const FRAMES = [1, 0.5, 0.25, 0.1, 0];
/** digits per class the classifier trains on (from after the training and held-out ones) */
const CLASSIFIER_PER_CLASS = 300;

interface Data {
  readonly train: Float64Array;
  readonly test: Float64Array;
  readonly testLabels: number[] | null;
  readonly trainImages: Uint8Array[];
  readonly scaling: Scaling;
  /** the classifier's digits (MNIST only) */
  readonly classifier: { images: Uint8Array[]; labels: number[] } | null;
}

/** MNIST digits per class: the training ones, then the held-out ones, then the classifier's. */
function imageData(p: ImageRunParams, rng: Rng): Data {
  if (p.dataset === "dead-leaves") {
    const trainImages = deadLeavesPatches(p.train_size, p.patch, rng);
    const testImages = deadLeavesPatches(p.test_size, p.patch, rng);
    const scaling = fitScaling(trainImages);
    return {
      train: dequantise(trainImages, scaling, rng),
      test: dequantise(testImages, scaling, rng),
      testLabels: null,
      trainImages,
      scaling,
      classifier: null,
    };
  }
  const perTrain = Math.ceil(p.train_size / 10), perTest = Math.ceil(p.test_size / 10);
  const tr = mnistPatches(0, perTrain, p.patch);
  const te = mnistPatches(perTrain, perTrain + perTest, p.patch);
  const cl = mnistPatches(perTrain + perTest, perTrain + perTest + CLASSIFIER_PER_CLASS, p.patch);
  const scaling = fitScaling(tr.images);
  return {
    train: dequantise(tr.images, scaling, rng),
    test: dequantise(te.images, scaling, rng),
    testLabels: te.labels,
    trainImages: tr.images,
    scaling,
    classifier: cl,
  };
}

/** The k-th of `shown` images spread evenly over `count` (MNIST's sets are in class order). */
const spread = (k: number, shown: number, count: number) => Math.floor((k * count) / shown);

/** An image's pixels as rows of a heatmap small multiple (i across, j down). */
function pixelRows(grey: readonly number[], side: number, fields: Record<string, string | number>) {
  return grey.map((g, k) => ({ ...fields, i: k % side, j: Math.floor(k / side), grey: g }));
}

export async function* imageRun(p: ImageRunParams, ctx: RunContext): AsyncGenerator<Emit> {
  const d = p.patch * p.patch;
  const data = imageData(p, ctx.rng);
  const beta = makeSchedule("geometric", p.steps, false, p.beta_min, p.beta_max);
  // the baselines, fitted to the same training pixels, scored on the same held-out ones
  const fitted = baselines(data.train, data.test, d);
  // with the Gaussian base the model sees the images on the principal axes (an orthogonal
  // change of coordinates: the same diffusion, the same K); samples and frames go back to pixels
  const axes = p.base === "gaussian" ? principalAxes(data.train, d) : null;
  const train = axes ? toAxes(axes, data.train) : data.train;
  const test = axes ? toAxes(axes, data.test) : data.test;
  const model = new ReverseModel(
    { kind: "gaussian", d, hidden: Array(p.layers).fill(p.hidden), basis: p.basis },
    beta,
    axes ? gaussianBase(beta, axes.mean, axes.variance) : null,
  );
  const theta = model.init(ctx.rng);
  const device = ctx.float32.device;
  const net = await float32Net(model, theta, device);
  yield {
    stream: "setup",
    row: {
      dataset: p.dataset,
      patch: p.patch,
      pixels: d,
      T: p.steps,
      hidden: p.hidden,
      layers: p.layers,
      parameters: model.n,
      train_images: data.train.length / d,
      test_images: data.test.length / d,
      trainer: device ? "webgpu-float32" : "simd-float32",
      base: p.base,
    },
  };
  for (const b of fitted) yield { stream: "baseline", row: { ...b } };
  const [gaussian, factorial] = fitted.map((b) => b.bits_per_pixel);
  const evaluate = async (step: number): Promise<Emit> => {
    const b = await bound(net, test, ctx.rng);
    return {
      stream: "bound",
      row: {
        step,
        K_bits: b.kBits,
        K_bits_per_pixel: b.kBits / d,
        gaussian_bits_per_pixel: gaussian,
        factorial_bits_per_pixel: factorial,
      },
    };
  };
  yield await evaluate(0);
  const training = trainReverse(
    model,
    net,
    theta,
    train,
    { steps: p.train_steps, batch: p.batch, lr: p.lr, evals: p.evals },
    ctx.rng,
    ctx.tick,
  );
  for await (const e of training) {
    ctx.progress(e.step, p.train_steps);
    yield e.evaluate
      ? await evaluate(e.step)
      : { stream: "loss", row: { step: e.step, loss: e.loss } };
  }

  // samples from noise beside training images
  const shown = Math.min(SHOWN, p.samples);
  const xT = drawPrior(net, p.samples, ctx.rng);
  let last: Float64Array = xT;
  sampleReverse(net, xT, ctx.rng, (_, x) => (last = x));
  if (axes) last = fromAxes(axes, last);
  for (let k = 0; k < shown; k++) {
    const sample = toGrey(last.subarray(k * d, (k + 1) * d), data.scaling);
    for (const row of pixelRows(sample, p.patch, { set: "sample", image: k + 1 })) {
      yield { stream: "images", row };
    }
    const train = Array.from(data.trainImages[spread(k, shown, data.trainImages.length)]);
    for (const row of pixelRows(train, p.patch, { set: "training", image: k + 1 })) {
      yield { stream: "images", row };
    }
    await ctx.tick();
  }
  if (p.mask_rows === 0) return;
  yield* inpainting(p, ctx, net, data, axes);
}

/** The inpainting frames and, on MNIST, the classifier's score of the completions. */
async function* inpainting(
  p: ImageRunParams,
  ctx: RunContext,
  net: Parameters<typeof inpaintMean>[0],
  data: Data,
  axes: Axes | null,
): AsyncGenerator<Emit> {
  const d = p.patch * p.patch, T = p.steps;
  const n = data.test.length / d;
  // the bottom mask_rows rows unknown
  const known = new Uint8Array(d).map((
    _,
    k,
  ) => (Math.floor(k / p.patch) < p.patch - p.mask_rows ? 1 : 0));
  const frames = new Map(FRAMES.map((f) => [Math.round(f * T), f]));
  const shown = Math.min(SHOWN, n);
  const rows: Emit[] = [];
  const grey = (x: ArrayLike<number>) => toGrey(x, data.scaling);
  // the mean of `chains` chains is scored (inpaintMean); the frames are the first chain's
  const visit = (t: number, x: Float64Array) => {
    if (!frames.has(t)) return;
    const stage = t === 0 ? "completed" : `t = ${t}`;
    for (let k = 0; k < shown; k++) {
      const e = spread(k, shown, n);
      for (
        const row of pixelRows(grey(x.subarray(e * d, (e + 1) * d)), p.patch, {
          stage,
          image: k + 1,
          t,
        })
      ) {
        rows.push({ stream: "inpaint", row });
      }
    }
  };
  const completed = inpaintMean(net, data.test, known, ctx.rng, p.chains, {
    visit,
    resample: p.resample,
    resampleAbove: p.resample_above,
    axes,
  });
  for (let k = 0; k < shown; k++) {
    const e = spread(k, shown, n);
    const original = grey(data.test.subarray(e * d, (e + 1) * d));
    const masked = original.map((g, i) => (known[i] ? g : null));
    for (const [stage, pixels] of [["original", original], ["masked", masked]] as const) {
      for (const row of pixelRows(pixels as number[], p.patch, { stage, image: k + 1, t: T + 1 })) {
        yield { stream: "inpaint", row };
      }
    }
  }
  yield* rows;
  await ctx.tick();
  if (!data.classifier || !data.testLabels) return;
  // the same digits with the unknown half filled by noise: the chain's own x^T, N(0, 1)
  const noisy = data.test.slice();
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < d; i++) if (!known[i]) noisy[e * d + i] = ctx.rng.normal();
  }
  const clf = await classifier(data.classifier, d, ctx.rng);
  const accuracy = (x: Float64Array) => {
    const inputs = Array.from(
      { length: n },
      (_, e) => Float32Array.from(grey(x.subarray(e * d, (e + 1) * d)), (g) => g / 255),
    );
    return clf.evaluate(inputs, data.testLabels!).accuracy;
  };
  yield {
    stream: "inpaint-score",
    row: {
      inpainted_accuracy: accuracy(completed),
      noise_accuracy: accuracy(noisy),
      original_accuracy: accuracy(data.test),
      n,
      masked_rows: p.mask_rows,
      chains: p.chains,
    },
  };
}

/** A one-hidden-layer SIMD MLP (256 tanh units) on the classifier's digits (grey/255), 3,000 SGD steps. */
async function classifier(
  digits: { images: Uint8Array[]; labels: number[] },
  d: number,
  rng: Rng,
): Promise<SimdMlp> {
  const x = digits.images.map((im) => Float32Array.from(im, (v) => v / 255));
  const net = await SimdMlp.create(
    { inputs: d, outputs: 10, width: 256, depth: 1, sigma_w2: 1, sigma_b2: 0, batch: 100 },
    rng,
  );
  for (let s = 0; s < 3000; s++) {
    const idx = Array.from({ length: 100 }, () => Math.floor(rng.uniform() * x.length));
    const loss = net.step(idx.map((i) => x[i]), idx.map((i) => digits.labels[i]), 0.1);
    if (!Number.isFinite(loss)) {
      throw new RunError(`the classifier diverged at step ${s}`, { step: s });
    }
  }
  return net;
}
