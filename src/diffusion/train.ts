/**
 * Training the reverse model (Sohl-Dickstein et al. 2015, §2.3): Adam on the bound's KL
 * terms, each example of a batch at its own t uniform on 2…T, x^t drawn from q(x^t|x^0) in
 * closed form. The batched float32 model computes loss and gradient, shard by shard over the
 * kernel pool's threads (shards.ts) or on WebGPU (gpu_model.ts); θ stays float64 (the reference's layout) and is loaded
 * back each step. The learning rate drops tenfold for
 * the last 30% of steps (K jumps by ≈ 1.5 bits there at a small β_1: docs/pipelines/diffusion.md).
 *
 * @module
 */
import { RunError } from "../runtime/pipeline.ts";
import type { Rng } from "../random/rng.ts";
import { Adam } from "../optim/adam.ts";
import { ticks } from "../stats/progress.ts";
import { forwardSample } from "./bound.ts";
import type { Batch, ReverseModel } from "./model.ts";
import type { Gpu } from "../compute/webgpu/device.ts";
import { GpuReverseModel } from "./gpu_model.ts";
import { ParallelReverseModel } from "./shards.ts";
import { SimdReverseModel } from "./simd_model.ts";

/** What trains: the float32 model on the kernel pool (shards.ts) or on WebGPU (gpu_model.ts). */
export interface TrainableNet {
  /** takes θ (the float64 model's layout) as its weights */
  load(theta: Float64Array): void;
  /** writes d(mean KL)/dθ into grad; returns the batch's mean KL */
  lossAndGrad(batch: Batch, grad: Float64Array): number | Promise<number>;
}

export interface TrainOptions {
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  /** evaluations of K to ask for, evenly spaced, the last step among them */
  readonly evals: number;
}

/**
 * The float32 model a run trains and evaluates, at θ: on the float32 engine's WebGPU device
 * where it has one, else on the SIMD kernels with every batch spread over the kernel pool.
 */
export async function float32Net(
  model: ReverseModel,
  theta: Float64Array,
  device: Gpu | null,
): Promise<GpuReverseModel | ParallelReverseModel> {
  return device
    ? await GpuReverseModel.create(model, theta, device)
    : new ParallelReverseModel(model, await SimdReverseModel.create(model, theta), theta);
}

/** A loss row (≈ 500 of them in all), or the moment to evaluate K. */
export type TrainEvent =
  | { readonly evaluate: false; readonly step: number; readonly loss: number }
  | { readonly evaluate: true; readonly step: number };

/** Trains θ in place; throws a RunError naming lr when loss or gradient stop being finite. */
export async function* trainReverse(
  model: ReverseModel,
  net: TrainableNet,
  theta: Float64Array,
  train: Float64Array,
  o: TrainOptions,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<TrainEvent> {
  const { d } = model.spec;
  const T = model.beta.length;
  const m = train.length / d;
  const binomial = model.spec.kind === "binomial";
  const adam = new Adam(model.n, o.lr);
  const evals = ticks(o.steps, o.evals);
  const losses = ticks(o.steps, 500);
  const grad = new Float64Array(model.n);
  for (let step = 1; step <= o.steps; step++) {
    const x0 = new Float64Array(o.batch * d);
    for (let e = 0; e < o.batch; e++) {
      const j = Math.floor(rng.uniform() * m);
      x0.set(train.subarray(j * d, (j + 1) * d), e * d);
    }
    const t = new Int32Array(o.batch).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
    const xt = forwardSample(x0, t, model.ab, binomial, d, rng);
    const loss = await net.lossAndGrad({ x0, xt, t }, grad);
    if (!Number.isFinite(loss) || !grad.every(Number.isFinite)) {
      throw new RunError(`training diverged at step ${step} (loss ${loss}); lower lr`, {
        step,
        param: "lr",
        loss: String(loss),
      });
    }
    adam.step(theta, grad, step > 0.7 * o.steps ? o.lr / 10 : o.lr);
    net.load(theta);
    if (step % losses.every === 0) yield { evaluate: false, step, loss };
    if (evals.has(step)) yield { evaluate: true, step };
    await tick();
  }
}
