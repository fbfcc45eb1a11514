/**
 * The pipelines a viewer's browser recomputes (issue #33: "run it here" on an audience page and
 * in an exported talk): those whose slide runs in well under half a minute in a laptop's
 * browser on one thread. The others' slides say "computed on the speaker's machine". The
 * browser's worker (src/browser/local_worker.ts) bundles exactly these.
 *
 * Left out, and why: trainability, training-time, loss-landscape, nngp, critical-gain,
 * diffusion and image-diffusion train for minutes on every core.
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
import isometry from "./isometry.ts";

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
  isometry,
];

/**
 * The local pipelines that can read MNIST, and whether a run with these (resolved) params does:
 * the worker asks the page for the digits (1.6 MB packed) before such a run, never otherwise, and
 * an export with one of these slides carries them.
 */
export const MNIST_READERS: Readonly<Record<string, (params: Record<string, unknown>) => boolean>> =
  {
    // the learning-speed comparison trains on MNIST; the spectra read none
    isometry: (p) => Number(p.train_steps) > 0,
  };
