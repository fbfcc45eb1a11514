/**
 * The pipelines a viewer's browser recomputes (issue #33: "run it here" on an audience page and
 * in an exported talk): those whose slide runs in well under half a minute in a laptop's
 * browser on one thread and that read no MNIST. The others' slides say "computed on the
 * speaker's machine". The browser's worker (src/browser/local_worker.ts) bundles exactly these.
 *
 * Left out, and why: trainability, training-time, loss-landscape, nngp, critical-gain,
 * diffusion and image-diffusion train for minutes on every core; isometry reads MNIST.
 *
 * @module
 */
// deno-lint-ignore-file no-explicit-any
import type { Pipeline } from "../src/runtime/pipeline.ts";
import signalPropagation from "./signal_propagation.ts";
import phaseDiagram from "./phase_diagram.ts";
import greatCircle from "./great_circle.ts";
import neurodynamics from "./neurodynamics.ts";
import deepLinear from "./deep_linear.ts";
import gramSpectrum from "./gram_spectrum.ts";
import singularities from "./singularities.ts";
import deepCheap from "./deep_cheap.ts";
import semanticCognition from "./semantic_cognition.ts";

export const LOCAL_PIPELINES: readonly Pipeline<any>[] = [
  signalPropagation,
  phaseDiagram,
  greatCircle,
  neurodynamics,
  deepLinear,
  gramSpectrum,
  singularities,
  deepCheap,
  semanticCognition,
];
