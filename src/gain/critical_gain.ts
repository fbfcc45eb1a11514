/**
 * The critical gain (Saxe, McClelland & Ganguli 2014, §5 and Fig. 7; the talk's "dynamic
 * isometry initialisation" slides): 30-layer tanh nets from orthogonal weights W = g·Q,
 * trained by SGD on MNIST. Just past g = 1 (the edge of chaos for tanh without biases: the
 * mean-field χ1 crosses 1 there) they train in fewer steps than any g ≤ 1; much larger g
 * trains slowly and generalises badly.
 *
 * @module
 */
import { type Float32Engine, score, WASM_ENGINE } from "../compute/float32.ts";
import type { Labelled } from "../linear/mnist.ts";
import type { Rng } from "../random/rng.ts";
import { activation } from "../signal/activations.ts";
import { fixedPoint } from "../signal/fixed_point.ts";

/**
 * `count` gains from gMin to gMax, geometrically spaced on each side of g = 1, which is one
 * of them when it lies inside (the boundary the claim is about); the points fall to the two
 * sides in proportion to their log-lengths. Outside, one geometric grid.
 */
export function gainGrid(gMin: number, gMax: number, count: number): number[] {
  const geo = (a: number, b: number, n: number) =>
    Array.from({ length: n }, (_, k) => (n === 1 ? a : a * (b / a) ** (k / (n - 1))));
  if (count === 1) return [gMin];
  if (!(gMin < 1 && gMax > 1) || count < 3) return geo(gMin, gMax, count);
  const intervals = count - 1;
  const share = Math.log(1 / gMin) / Math.log(gMax / gMin);
  const below = Math.min(intervals - 1, Math.max(1, Math.round(intervals * share)));
  return [...geo(gMin, 1, below + 1), ...geo(1, gMax, intervals - below + 1).slice(1)];
}

/**
 * The mean-field picture of gain g: orthogonal weights of gain g propagate lengths as σw² = g²
 * does (‖gQx‖² = g²‖x‖²), with no biases. q* = 0 and χ1 = g² up to g = 1; past it q* > 0 and
 * χ1 = g² E φ'(√q* z)².
 */
export function gainMeanField(g: number): { chi1: number; q_star: number | null; phase: string } {
  const fp = fixedPoint({ act: activation("tanh"), sigma_w2: g * g, sigma_b2: 0 });
  return { chi1: fp.chi1, q_star: fp.q_star, phase: fp.phase };
}

export interface GainSpec {
  readonly g: number;
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  readonly lr: number;
  readonly batch: number;
  /** the mean minibatch loss over the last WINDOW steps that counts as trained */
  readonly threshold: number;
}

export interface GainResult {
  /** the first step at which the last WINDOW minibatch losses average ≤ threshold; null if never */
  readonly steps_to_threshold: number | null;
  /** cross-entropy on the whole training set after the run (null where it diverged) */
  readonly train_loss: number | null;
  /** 1 − accuracy on the held-out digits (null where it diverged) */
  readonly test_error: number | null;
  /** the loss stopped being finite (the run's rows so far stand) */
  readonly diverged: boolean;
}

/** minibatch losses averaged for the threshold and each curve point */
export const WINDOW = 50;
export const CURVE_EVERY = 10;

/** A group's curve point: net z's mean loss over the CURVE_EVERY steps ending at `step`. */
export interface GainPoint {
  readonly z: number;
  readonly step: number;
  readonly loss: number;
}

/**
 * Nets of one shape at several gains (each its own rng: its init and its minibatch draws),
 * trained side by side on the float32 engine — one batched dispatch a product on a GPU, one
 * net after another on wasm. Each net: depth tanh layers of `width` from W = g·Q, no biases,
 * trained by SGD on random minibatches. Yields each net's mean loss every CURVE_EVERY steps as
 * it trains (a slide draws the curves live), and returns every net's result. A net that
 * diverges stops yielding; the others go on.
 */
export async function* trainGains(
  specs: readonly GainSpec[],
  data: { train: Labelled; test: Labelled },
  rngs: readonly Rng[],
  tick: () => Promise<void>,
  engine: Float32Engine = WASM_ENGINE,
): AsyncGenerator<GainPoint, GainResult[]> {
  const spec = specs[0];
  const net = await engine.mlps(
    specs.map((s) => ({
      inputs: 784,
      outputs: 10,
      width: s.width,
      depth: s.depth,
      sigma_w2: s.g * s.g,
      sigma_b2: 0,
      batch: s.batch,
      orthogonalGain: s.g,
    })),
    rngs,
  );
  const Z = specs.length;
  try {
    const { x, y } = data.train;
    net.bind(x, y);
    const idx = specs.map(() => new Int32Array(spec.batch));
    const window = specs.map(() => new Float64Array(WINDOW));
    const windowSum = new Float64Array(Z), curveSum = new Float64Array(Z);
    const reached: (number | null)[] = specs.map(() => null);
    const diverged = specs.map(() => false);
    for (let s0 = 1; s0 <= spec.steps && diverged.includes(false); s0 += CURVE_EVERY) {
      // CURVE_EVERY steps, then their losses in one read (a GPU returns them in bulk)
      const last = Math.min(spec.steps, s0 + CURVE_EVERY - 1);
      for (let s = s0; s <= last; s++) {
        // one uniform a row, in order, from each net's own rng: the minibatch draw the
        // recorded runs were made with, whatever the group
        for (let z = 0; z < Z; z++) {
          for (let k = 0; k < spec.batch; k++) idx[z][k] = Math.floor(rngs[z].uniform() * x.length);
        }
        net.step(idx, spec.lr);
      }
      const losses = await net.losses();
      for (let z = 0; z < Z; z++) {
        for (let s = s0; s <= last && !diverged[z]; s++) {
          const loss = losses[z][s - s0];
          if (!Number.isFinite(loss)) {
            diverged[z] = true;
            break;
          }
          windowSum[z] += loss - window[z][s % WINDOW];
          window[z][s % WINDOW] = loss;
          if (reached[z] === null && s >= WINDOW && windowSum[z] / WINDOW <= specs[z].threshold) {
            reached[z] = s;
          }
          curveSum[z] += loss;
          if (s % CURVE_EVERY === 0) {
            yield { z, step: s, loss: curveSum[z] / CURVE_EVERY };
            curveSum[z] = 0;
          }
        }
      }
      await tick();
    }
    const trainOut = await net.outputs(x), testOut = await net.outputs(data.test.x);
    return specs.map((_, z) => {
      const failed = { steps_to_threshold: reached[z], train_loss: null, test_error: null };
      if (diverged[z]) return { ...failed, diverged: true };
      const train = score(trainOut[z], y), test = score(testOut[z], data.test.y);
      if (!Number.isFinite(train.loss) || !Number.isFinite(test.loss)) {
        return { ...failed, diverged: true };
      }
      return {
        steps_to_threshold: reached[z],
        train_loss: train.loss,
        test_error: 1 - test.accuracy,
        diverged: false,
      };
    });
  } finally {
    net.dispose();
  }
}

/** One net of `trainGains`: its curve points and its result. */
export async function* trainGain(
  spec: GainSpec,
  data: { train: Labelled; test: Labelled },
  rng: Rng,
  tick: () => Promise<void>,
  engine: Float32Engine = WASM_ENGINE,
): AsyncGenerator<{ step: number; loss: number }, GainResult> {
  const [result] = yield* trainGains([spec], data, [rng], tick, engine);
  return result;
}
