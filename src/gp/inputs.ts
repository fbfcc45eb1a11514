/**
 * What nngp's parts share (pipelines/nngp.ts; src/gp/*_part.ts): the digits, their dot
 * products, and the run's progress.
 *
 * @module
 */
import type { ActivationName } from "../signal/activations.ts";
import type { Labelled } from "../linear/mnist.ts";

export interface GpInputs {
  readonly name: ActivationName;
  readonly data: { readonly train: Labelled; readonly test: Labelled };
  /** the training inputs' dot products, and held-out × training */
  readonly dots: { readonly train: Float64Array; readonly cross: Float64Array };
}

/** Work done of the run's total, in the units ctx.progress reports (finite nets, then cells). */
export interface GpProgress {
  done: number;
  readonly total: number;
}
