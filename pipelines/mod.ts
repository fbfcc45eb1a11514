/** The registry of pipelines: one file per experiment (DESIGN.md "Layout"). */
import type { Pipeline } from "../src/runtime/pipeline.ts";
import { registerSource } from "../src/runtime/run_pool.ts";
import signalPropagation from "./signal_propagation.ts";
import phaseDiagram from "./phase_diagram.ts";
import deepLinear from "./deep_linear.ts";
import trainingTime from "./training_time.ts";
import lossLandscape from "./loss_landscape.ts";
import diffusion from "./diffusion.ts";
import isometry from "./isometry.ts";
import gramSpectrum from "./gram_spectrum.ts";
import nngp from "./nngp.ts";
import singularities from "./singularities.ts";
import greatCircle from "./great_circle.ts";
import neurodynamics from "./neurodynamics.ts";
import trainability from "./trainability.ts";
import deepCheap from "./deep_cheap.ts";
import semanticCognition from "./semantic_cognition.ts";
import criticalGain from "./critical_gain.ts";
import imageDiffusion from "./image_diffusion.ts";

// deno-lint-ignore no-explicit-any
export const PIPELINES: readonly Pipeline<any>[] = [
  signalPropagation,
  phaseDiagram,
  greatCircle,
  neurodynamics,
  trainability,
  deepLinear,
  trainingTime,
  lossLandscape,
  diffusion,
  isometry,
  gramSpectrum,
  nngp,
  singularities,
  deepCheap,
  semanticCognition,
  criticalGain,
  imageDiffusion,
];

// each file is named after its pipeline (signal-propagation: signal_propagation.ts), so a run's
// worker can import the one it runs
for (const p of PIPELINES) {
  registerSource(p, new URL(`./${p.id.replaceAll("-", "_")}.ts`, import.meta.url).href);
}

// deno-lint-ignore no-explicit-any
export function findPipeline(id: string): Pipeline<any> | undefined {
  return PIPELINES.find((p) => p.id === id);
}
