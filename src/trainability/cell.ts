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
import { type Float32Engine, score, WASM_ENGINE } from "../compute/float32.ts";

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

/**
 * Cells of one depth trained side by side on the run's float32 engine (one dispatch a product
 * for all of them on WebGPU; one after another on wasm-simd, where a group is one cell).
 * Each cell draws its init and then its minibatches from its own rng, in the same order on
 * either engine. Losses are checked every `checkEvery` steps (a GPU returns them in bulk): a
 * cell that diverged reports the step its loss first stopped being finite; once every cell
 * of the group has, the group stops.
 */
export async function trainCells(
  specs: readonly CellSpec[],
  data: { train: Labelled; test: Labelled },
  rngs: readonly Rng[],
  engine: Float32Engine,
  tick: () => Promise<void>,
  onStep?: (step: number) => void,
): Promise<CellResult[]> {
  const { steps, lr, batch } = specs[0];
  const nets = await engine.mlps(specs.map((s) => ({ inputs: 784, outputs: 10, ...s })), rngs);
  try {
    nets.bind(data.train.x, data.train.y);
    const n = data.train.x.length;
    const idx = specs.map(() => new Int32Array(batch));
    const divergedAt: (number | null)[] = specs.map(() => null);
    // wasm steps synchronously: check every step, as the cells always have; a GPU in bulk
    const checkEvery = engine.kind === "webgpu" ? 25 : 1;
    let checked = 0;
    const check = async () => {
      const losses = await nets.losses();
      losses.forEach((l, z) => {
        const bad = l.findIndex((v) => !Number.isFinite(v));
        if (divergedAt[z] === null && bad >= 0) divergedAt[z] = checked + bad + 1;
      });
      checked += losses[0].length;
    };
    for (let s = 1; s <= steps; s++) {
      // one uniform a row, in order: the minibatch draw the recorded runs were made with
      rngs.forEach((rng, z) => {
        for (let k = 0; k < batch; k++) idx[z][k] = Math.floor(rng.uniform() * n);
      });
      nets.step(idx, lr);
      if (s % checkEvery === 0 || s === steps) {
        await check();
        if (divergedAt.every((d) => d !== null)) break;
      }
      onStep?.(s);
      await tick();
    }
    const outputs = await nets.outputs(data.test.x);
    return specs.map((_, z) => {
      const at = divergedAt[z];
      if (at !== null) return { accuracy: CHANCE, loss: null, steps: at, diverged: true };
      const ev = score(outputs[z], data.test.y);
      if (!Number.isFinite(ev.loss)) {
        return { accuracy: CHANCE, loss: null, steps, diverged: true };
      }
      return { accuracy: ev.accuracy, loss: ev.loss, steps, diverged: false };
    });
  } finally {
    nets.dispose();
  }
}

/** One cell alone (a group of one): the tests' and the CLI's unit. */
export async function trainCell(
  spec: CellSpec,
  data: { train: Labelled; test: Labelled },
  rng: Rng,
  tick: () => Promise<void>,
  onStep?: (step: number) => void,
  engine: Float32Engine = WASM_ENGINE,
): Promise<CellResult> {
  return (await trainCells([spec], data, [rng], engine, tick, onStep))[0];
}
