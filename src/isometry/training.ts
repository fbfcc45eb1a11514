/**
 * Why isometry matters: deep networks of equal depth and width, initialised on the critical
 * line in four ways, trained on MNIST by plain SGD (Pennington, Schoenholz & Ganguli 2017,
 * Figs. 4–5). Orthogonal tanh at small q* keeps the Jacobian's spectrum at 1 and learns in
 * a few dozen steps; orthogonal tanh at large q*, Gaussian tanh and ReLU spread it with depth
 * and lag far behind. tfjs on the run's backend (≈ 65 ms a step at depth 16, width 128).
 *
 * @module
 */
import type { Tensor } from "@tensorflow/tfjs";
import type { Tf } from "../compute/backend.ts";
import type { Rng } from "../random/rng.ts";
import { activation, type ActivationName } from "../signal/activations.ts";
import { randomOrthogonal } from "../linear/init.ts";
import { criticalPoint } from "./critical_point.ts";
import type { Weights } from "./moments.ts";

export interface SpeedConfig {
  readonly config: string;
  readonly activation: ActivationName;
  readonly qStar: number;
  readonly weights: Weights;
}

/** The paper's comparison: isometric first, then the three that are not. */
export const SPEED_CONFIGS: readonly SpeedConfig[] = [
  {
    config: "orthogonal tanh, q* = 1/64",
    activation: "tanh",
    qStar: 1 / 64,
    weights: "orthogonal",
  },
  { config: "orthogonal tanh, q* = 4", activation: "tanh", qStar: 4, weights: "orthogonal" },
  { config: "Gaussian tanh, q* = 1/64", activation: "tanh", qStar: 1 / 64, weights: "gaussian" },
  { config: "Gaussian ReLU", activation: "relu", qStar: 1, weights: "gaussian" },
];

export interface Digits {
  /** images, 784 floats each, and their labels */
  readonly x: readonly (readonly number[])[];
  readonly y: readonly number[];
}

export interface SpeedOptions {
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  readonly lr: number;
  readonly batch: number;
  /** test accuracy every this many steps */
  readonly every: number;
}

/**
 * Trains one configuration; yields {step, loss, accuracy} every `every` steps (loss on the
 * batch, accuracy on `test`). Inputs are centred on the training mean and scaled so the
 * first layer's pre-activations have length q*, the fixed point the net sits at.
 */
export async function* trainForSpeed(
  tf: Tf,
  c: SpeedConfig,
  train: Digits,
  test: Digits,
  o: SpeedOptions,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<{ step: number; loss: number; accuracy: number }> {
  const act = activation(c.activation);
  const p = criticalPoint(act, c.qStar);
  const mean = new Float64Array(784);
  for (const x of train.x) for (let i = 0; i < 784; i++) mean[i] += x[i] / train.x.length;
  const scaled = (x: readonly number[]) => {
    const v = Float32Array.from(x, (a, i) => a - mean[i]);
    const n2 = v.reduce((s, a) => s + a * a, 0) / 784;
    const k = Math.sqrt(Math.max(1e-9, (c.qStar - p.sigma_b2) / p.sigma_w2) / n2);
    return v.map((a) => a * k);
  };
  const vars: Tensor[] = [];
  const keep = <T extends Tensor>(t: T) => (vars.push(t), t);
  const X = keep(tf.tensor2d(train.x.map((x) => Array.from(scaled(x)))));
  const Y = keep(tf.oneHot(tf.tensor1d(train.y as number[], "int32"), 10).toFloat());
  const Xt = keep(tf.tensor2d(test.x.map((x) => Array.from(scaled(x)))));
  const Yt = keep(tf.tensor1d(test.y as number[], "int32"));
  const dims = [784, ...Array(o.depth).fill(o.width)];
  const ws: ReturnType<Tf["variable"]>[] = [];
  const bs: ReturnType<Tf["variable"]>[] = [];
  for (let l = 0; l < o.depth; l++) {
    const nIn = dims[l], nOut = dims[l + 1];
    // orthogonal: nIn × nOut with orthonormal columns (rows when wider), scaled so
    // E |W x|² = σw² |x|² as for the Gaussian N(0, σw²/nIn)
    const w = c.weights === "orthogonal"
      ? randomOrthogonal(nIn, nOut, rng).map((v) =>
        v * Math.sqrt(p.sigma_w2 * Math.max(1, nIn / nOut))
      )
      : Float64Array.from({ length: nIn * nOut }, () => rng.normal() * Math.sqrt(p.sigma_w2 / nIn));
    ws.push(keep(tf.variable(tf.tensor2d(Float32Array.from(w), [nIn, nOut]))));
    const b = Float32Array.from({ length: nOut }, () => rng.normal() * Math.sqrt(p.sigma_b2));
    bs.push(keep(tf.variable(tf.tensor1d(b))));
  }
  const readout = keep(tf.variable(tf.zeros([o.width, 10])));
  const forward = (x: Tensor) => {
    let h = x;
    for (let l = 0; l < o.depth; l++) {
      const z = tf.add(tf.matMul(h, ws[l]), bs[l]);
      h = c.activation === "relu" ? tf.relu(z) : tf.tanh(z);
    }
    return tf.matMul(h, readout);
  };
  const opt = tf.train.sgd(o.lr);
  try {
    for (let step = 1; step <= o.steps; step++) {
      const idx = tf.tensor1d(
        Int32Array.from({ length: o.batch }, () => Math.floor(rng.uniform() * train.x.length)),
        "int32",
      );
      const loss = opt.minimize(
        () => tf.losses.softmaxCrossEntropy(tf.gather(Y, idx), forward(tf.gather(X, idx))) as never,
        true,
      )!;
      idx.dispose();
      if (step % o.every === 0 || step === o.steps) {
        const l = loss.dataSync()[0];
        const accuracy = tf.tidy(() =>
          tf.mean(tf.equal(tf.argMax(forward(Xt), 1), Yt).toFloat()).dataSync()[0]
        );
        yield { step, loss: l, accuracy };
      }
      loss.dispose();
      await tick();
    }
  } finally {
    tf.dispose(vars);
    opt.dispose();
  }
}
