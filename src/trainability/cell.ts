/**
 * One cell of the trainability map: a fresh random tanh network of the cell's depth at the
 * cell's σw², trained by plain SGD on MNIST for a fixed number of steps, then scored on
 * held-out digits. A run whose loss stops being finite has diverged: it scores chance
 * (0.1) and says so, and the map goes on.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import type { Labelled } from "./data.ts";
import { drawBatch } from "../linear/mnist.ts";
import { SimdMlp } from "../compute/simd_mlp.ts";

export interface CellSpec {
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  readonly lr: number;
  readonly batch: number;
}

export interface CellResult {
  /** held-out accuracy (0.1 = chance) */
  readonly accuracy: number;
  /** held-out mean cross-entropy; null where the net diverged */
  readonly loss: number | null;
  /** steps taken (fewer than asked where it diverged) */
  readonly steps: number;
  readonly diverged: boolean;
}

/**
 * Floating-point operations to train one cell: a step's three products a layer (forward,
 * and the fused backward's two) over the batch. At ≈ 10 GFLOP/s on two cores (11 ms for
 * width 100, depth 50, batch 32) this prices a grid before it runs.
 */
export function cellFlops(spec: Omit<CellSpec, "sigma_w2" | "sigma_b2" | "lr">): number {
  const n = spec.width;
  const macs = 784 * n + (spec.depth - 1) * n * n + n * 10;
  return spec.steps * spec.batch * 6 * macs;
}

/** Chance on ten balanced classes: what a diverged net is scored. */
export const CHANCE = 0.1;

export async function trainCell(
  spec: CellSpec,
  data: { train: Labelled; test: Labelled },
  rng: Rng,
  tick: () => Promise<void>,
  onStep?: (step: number) => void,
): Promise<CellResult> {
  const net = await SimdMlp.create({ inputs: 784, outputs: 10, ...spec }, rng);
  const bx: Float32Array[] = new Array(spec.batch);
  const by: number[] = new Array(spec.batch);
  for (let s = 1; s <= spec.steps; s++) {
    drawBatch(data.train, rng, bx, by);
    const loss = net.step(bx, by, spec.lr);
    if (!Number.isFinite(loss)) return { accuracy: CHANCE, loss: null, steps: s, diverged: true };
    onStep?.(s);
    await tick();
  }
  const ev = net.evaluate(data.test.x, data.test.y);
  if (!Number.isFinite(ev.loss)) {
    return { accuracy: CHANCE, loss: null, steps: spec.steps, diverged: true };
  }
  return { accuracy: ev.accuracy, loss: ev.loss, steps: spec.steps, diverged: false };
}
