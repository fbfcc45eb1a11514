/**
 * Training time of a deep linear net: steps of full-batch gradient descent until
 * the loss falls below a threshold (Saxe et al. 2014, §4 and Fig. 6). The
 * threshold is a fraction of the way from the zero network's loss down to the
 * best linear map's, so it means the same on any dataset.
 *
 * @module
 */
import type { Svd } from "../numerics/svd.ts";
import type { Rng } from "../random/rng.ts";
import { type Init, initialWeights } from "./init.ts";
import { FusedLinearNet } from "./fused_net.ts";
import { GPU_LINEAR_RING, GpuLinearNet } from "./gpu_net.ts";
import type { Gpu } from "../compute/webgpu/device.ts";

/** The data as the network sees it: Σ31 (outputs × inputs), Σ11 (null: identity), ½ tr Σ33, the optimum. */
export interface Correlations {
  readonly sigma31: Float64Array;
  readonly sigma11: Float64Array | null;
  readonly trace33: number;
  readonly inputs: number;
  readonly outputs: number;
  /** the least-squares loss, the floor any linear net can reach */
  readonly bestLoss: number;
  readonly modes: Svd;
  /**
   * 1/(λmax(Σ11) max(1, s1/λmax(Σ11))²): a layer's curvature is about D λmax(Σ11) g^{2−2/D}
   * for per-mode strength g (1 at a norm-preserving start, ≈ s1/λmax at the optimum), so
   * λ = λ0 · rateUnit / D is stable for λ0 ≲ 2 at any depth (for one-hot items, 1/s1²).
   */
  readonly rateUnit: number;
}

export interface TrialSpec {
  readonly depth: number;
  readonly width: number;
  readonly init: Init;
  readonly a0: number;
  readonly lr: number;
  /** stop when loss − best ≤ threshold · (zero-net loss − best) */
  readonly threshold: number;
  readonly maxSteps: number;
}

export interface TrialResult {
  /** steps to the threshold; null if not reached in maxSteps */
  readonly steps: number | null;
  readonly finalLoss: number;
  readonly diverged: boolean;
}

/**
 * Train one net and count its steps; yields to the event loop through `tick`. With a WebGPU
 * `device` (the float32 engine's) the net steps there (gpu_net.ts), a ring of steps between
 * reads; else on the fused SIMD loops, a step at a time.
 */
export async function trainingTime(
  data: Correlations,
  spec: TrialSpec,
  rng: Rng,
  tick: () => Promise<void>,
  device: Gpu | null = null,
): Promise<TrialResult> {
  const dims = [data.inputs, ...Array(spec.depth - 1).fill(spec.width), data.outputs];
  // Only losses are reported, so an orthogonal start may be written in the frame where its
  // hidden layers are the identity: the same training, without D Gram–Schmidts (init.ts).
  const w = initialWeights(
    { dims, init: spec.init, a0: spec.a0, initStd: 0, identityFrame: true },
    rng,
    data.modes,
  );
  const args = [dims, w, data.sigma31, data.sigma11, data.trace33] as const;
  const net = device ? new GpuLinearNet(device, ...args) : await FusedLinearNet.create(...args);
  // the losses of the next `k` steps (each the loss before its step)
  const losses = (k: number) =>
    net instanceof GpuLinearNet
      ? net.steps(spec.lr, Math.min(k, GPU_LINEAR_RING))
      : Promise.resolve(Float64Array.of(net.step(spec.lr, false).loss));
  const zero = data.trace33 / 2;
  const target = data.bestLoss + spec.threshold * (zero - data.bestLoss);
  try {
    let loss = Infinity;
    for (let t = 0; t <= spec.maxSteps;) {
      // step() reports the loss before its update: the loss after t steps.
      for (const l of await losses(spec.maxSteps + 1 - t)) {
        loss = l;
        if (!Number.isFinite(loss) || loss > 1e6 * Math.max(zero, 1)) {
          return { steps: null, finalLoss: loss, diverged: true };
        }
        if (loss <= target) return { steps: t, finalLoss: loss, diverged: false };
        t++;
      }
      await tick();
    }
    return { steps: null, finalLoss: loss, diverged: false };
  } finally {
    net.dispose();
  }
}

/** n integers spread evenly in log scale over [lo, hi], without repeats. */
export function logDepths(lo: number, hi: number, n: number): number[] {
  if (n <= 1 || lo === hi) return [lo];
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(Math.round(lo * Math.pow(hi / lo, i / (n - 1))));
  return [...out];
}
