/**
 * deep-cheap's `decimation` part (pipelines/deep_cheap.ts): the 1-D Ising chain's free energy
 * by decimation, step by step, beside the exact one and a ring of 2^(s+1) spins; and the
 * coupling's map K → K′ — Lin, Tegmark & Rolnick 2017 §3.
 *
 * @module
 */
import type { Emit } from "../runtime/pipeline.ts";
import { decimate, decimationFlow, exactFreeEnergy, ringFreeEnergy } from "./decimation.ts";

/** What the decimation part reads of the pipeline's params. */
export interface DecimationParams {
  readonly coupling: number;
  readonly decimations: number;
}

type P = DecimationParams;

export async function* decimation(p: P): AsyncGenerator<Emit> {
  const exact = exactFreeEnergy(p.coupling);
  for (const s of decimationFlow(p.coupling, p.decimations)) {
    const error = Math.abs(s.fRecursion - exact);
    yield {
      stream: "ising1d",
      row: {
        step: s.step,
        K: s.K,
        f_recursion: s.fRecursion,
        f_exact: exact,
        f_ring: ringFreeEnergy(p.coupling, 2 ** (s.step + 1)),
        error: error === 0 ? null : error,
      },
    };
  }
  const top = Math.max(p.coupling, 0.5) * 1.05;
  for (let k = 0; k <= 60; k++) {
    const K = top * k / 60;
    yield { stream: "rg-map", row: { K, K_next: decimate(K), diagonal: K } };
  }
}
