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

/**
 * One net: depth tanh layers of `width` from W = g·Q, no biases, trained by SGD on random
 * minibatches. Yields the mean loss of every CURVE_EVERY steps as it trains (a slide draws
 * the curves live), and returns the result.
 */
export async function* trainGain(
  spec: GainSpec,
  data: { train: Labelled; test: Labelled },
  rng: Rng,
  tick: () => Promise<void>,
  engine: Float32Engine = WASM_ENGINE,
): AsyncGenerator<{ step: number; loss: number }, GainResult> {
  const net = await engine.mlps([{
    inputs: 784,
    outputs: 10,
    width: spec.width,
    depth: spec.depth,
    sigma_w2: spec.g * spec.g,
    sigma_b2: 0,
    batch: spec.batch,
    orthogonalGain: spec.g,
  }], [rng]);
  try {
    const { x, y } = data.train;
    net.bind(x, y);
    const idx = [new Int32Array(spec.batch)];
    const window = new Float64Array(WINDOW);
    let windowSum = 0, curveSum = 0, reached: number | null = null;
    for (let s0 = 1; s0 <= spec.steps; s0 += CURVE_EVERY) {
      // CURVE_EVERY steps, then their losses in one read (a GPU returns them in bulk)
      const last = Math.min(spec.steps, s0 + CURVE_EVERY - 1);
      for (let s = s0; s <= last; s++) {
        // one uniform a row, in order: the minibatch draw the recorded runs were made with
        for (let k = 0; k < spec.batch; k++) idx[0][k] = Math.floor(rng.uniform() * x.length);
        net.step(idx, spec.lr);
      }
      const [losses] = await net.losses();
      for (let s = s0; s <= last; s++) {
        const loss = losses[s - s0];
        if (!Number.isFinite(loss)) {
          return {
            steps_to_threshold: reached,
            train_loss: null,
            test_error: null,
            diverged: true,
          };
        }
        windowSum += loss - window[s % WINDOW];
        window[s % WINDOW] = loss;
        if (reached === null && s >= WINDOW && windowSum / WINDOW <= spec.threshold) reached = s;
        curveSum += loss;
        if (s % CURVE_EVERY === 0) {
          yield { step: s, loss: curveSum / CURVE_EVERY };
          curveSum = 0;
        }
      }
      await tick();
    }
    const [trainOut] = await net.outputs(x), [testOut] = await net.outputs(data.test.x);
    const train = score(trainOut, y), test = score(testOut, data.test.y);
    if (!Number.isFinite(train.loss) || !Number.isFinite(test.loss)) {
      return { steps_to_threshold: reached, train_loss: null, test_error: null, diverged: true };
    }
    return {
      steps_to_threshold: reached,
      train_loss: train.loss,
      test_error: 1 - test.accuracy,
      diverged: false,
    };
  } finally {
    net.dispose();
  }
}
