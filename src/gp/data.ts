/**
 * MNIST for the GP experiments: the first 600 digits of each class are the training pool
 * (the `mnist` package's own order, as training-time and trainability use it), digits
 * 600–859 of each class the held-out set (2,600 digits never trained on; the package holds
 * 863 fives, its fewest). Both are interleaved class by class, so the first n of either is
 * balanced whenever n is a multiple of ten, and smaller training sets are nested in larger
 * ones. Inputs are centred on the training pool's mean and scaled to |x|²/784 = 1.
 *
 * @module
 */
import { type Labelled, normalisedDigits } from "../linear/mnist.ts";

export const TRAIN_PER_CLASS = 600;
export const TEST_FROM = 600;
export const TEST_TO = 860;
/** the most training and held-out digits there are */
export const MAX_TRAIN = 10 * TRAIN_PER_CLASS;
export const MAX_TEST = 10 * (TEST_TO - TEST_FROM);

/** Reorder class-grouped digits (as mnistDigits returns them) to c0, c1, …, c9, c0, … */
function interleave(d: Labelled): Labelled {
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  d.y.forEach((c, i) => byClass[c].push(i));
  const order: number[] = [];
  for (let k = 0; order.length < d.y.length; k++) {
    for (const idx of byClass) if (k < idx.length) order.push(idx[k]);
  }
  return { x: order.map((i) => d.x[i]), y: order.map((i) => d.y[i]) };
}

let pool: { train: Labelled; test: Labelled } | undefined;

/** The first nTrain training digits and the first nTest held-out ones (balanced, nested). */
export function gpDigits(nTrain: number, nTest: number): { train: Labelled; test: Labelled } {
  if (nTrain > MAX_TRAIN || nTest > MAX_TEST) {
    throw new RangeError(`at most ${MAX_TRAIN} training and ${MAX_TEST} held-out digits`);
  }
  pool ??= (() => {
    const d = normalisedDigits(0, TRAIN_PER_CLASS, TEST_FROM, TEST_TO);
    return { train: interleave(d.train), test: interleave(d.test) };
  })();
  const take = (d: Labelled, n: number) => ({ x: d.x.slice(0, n), y: d.y.slice(0, n) });
  return { train: take(pool.train, nTrain), test: take(pool.test, nTest) };
}
