/**
 * The measures the semantic-cognition phenomena are read by, on a prediction Ŷ (features ×
 * items, the trained net's W_tot or the theory's U A Vᵀ): the same function for both sources.
 *
 * @module
 */
import { svd } from "../numerics/svd.ts";
import type { CoherenceEnvironment, Environment } from "./environments.ts";

/** The smallest peak that counts as a belief (the 0.1). */
export const ILLUSION_MIN_PEAK = 0.1;

export interface Illusion {
  readonly item: string;
  readonly property: string;
  readonly peak: number;
  readonly peak_step: number;
  readonly final: number;
}

/**
 * Follows every (item, property) whose target is 0 through training; an illusion is one that
 * rose to ≥ 0.1 and ended at most half as high (believed, then unlearned).
 */
export class IllusionTracker {
  readonly #peak: Float64Array;
  readonly #peakStep: Float64Array;
  #last: Float64Array;

  constructor(readonly env: Environment) {
    this.#peak = new Float64Array(env.y.length).fill(-Infinity);
    this.#peakStep = new Float64Array(env.y.length);
    this.#last = new Float64Array(env.y.length);
  }

  see(step: number, prediction: Float64Array): void {
    for (let q = 0; q < prediction.length; q++) {
      if (this.env.y[q] === 0 && prediction[q] > this.#peak[q]) {
        this.#peak[q] = prediction[q];
        this.#peakStep[q] = step;
      }
    }
    this.#last = prediction;
  }

  /** The illusions, strongest first. */
  illusions(): Illusion[] {
    const { items, features, y } = this.env, p = items.length;
    const out: Illusion[] = [];
    for (let q = 0; q < y.length; q++) {
      const peak = this.#peak[q], final = this.#last[q];
      if (y[q] !== 0 || peak < ILLUSION_MIN_PEAK || final > peak / 2) continue;
      out.push({
        item: items[q % p],
        property: features[Math.floor(q / p)],
        peak,
        peak_step: this.#peakStep[q],
        final,
      });
    }
    return out.sort((a, b) => b.peak - a.peak);
  }
}

/**
 * The step at which `values` (recorded at `steps`) first reaches `level`, interpolated linearly
 * between the two records around the crossing (records every few steps would otherwise tie
 * items learned a step apart); null if it never does.
 */
export function firstReaching(
  steps: readonly number[],
  values: readonly number[],
  level: number,
): number | null {
  if (values[0] >= level) return steps[0];
  for (let k = 1; k < steps.length; k++) {
    if (values[k] < level) continue;
    const f = (level - values[k - 1]) / (values[k] - values[k - 1]);
    return steps[k - 1] + f * (steps[k] - steps[k - 1]);
  }
  return null;
}

/** How much of property i's row is learned: Σ_μ Ŷ_iμ y_iμ / Σ_μ y_iμ² (1 when learned). */
export function propertyLearned(env: Environment, prediction: Float64Array, i: number): number {
  const p = env.items.length;
  let num = 0, den = 0;
  for (let m = 0; m < p; m++) {
    num += prediction[i * p + m] * env.y[i * p + m];
    den += env.y[i * p + m] ** 2;
  }
  return den > 0 ? num / den : NaN;
}

/**
 * A property's alignment with the strong object analyzers: the singular values of the modes
 * its row y_i = Σ_α s_α U_iα v_αᵀ is made of, weighted by the energy (s_α U_iα)² in each. A
 * property that draws a broad distinction (can move: animals against plants) sits in a strong
 * mode and is learned soon; one of a single item (can sing) sits in a weak one.
 */
export function alignment(u: Float64Array, s: Float64Array, i: number): number {
  const k = s.length;
  let num = 0, den = 0;
  for (let a = 0; a < k; a++) {
    const e = (s[a] * u[i * k + a]) ** 2;
    num += s[a] * e;
    den += e;
  }
  return den > 0 ? num / den : 0;
}

/**
 * Typicality of each member of a category: the overlap y_μ · u_c of its features with the
 * category's feature synthesizer u_c (the mode that carries the most of the "ISA" output,
 * s_α |U_isa,α|; signed so that membership is positive). It is s_c v_c(μ): how much of the
 * item the category's mode explains.
 */
export function typicality(
  env: Environment,
  u: Float64Array,
  s: Float64Array,
  isaFeature: number,
  members: readonly number[],
): number[] {
  const k = s.length, p = env.items.length, nf = env.features.length;
  let best = 0;
  for (let a = 1; a < k; a++) {
    if (s[a] * Math.abs(u[isaFeature * k + a]) > s[best] * Math.abs(u[isaFeature * k + best])) {
      best = a;
    }
  }
  const sign = Math.sign(u[isaFeature * k + best]) || 1;
  return members.map((m) => {
    let x = 0;
    for (let i = 0; i < nf; i++) x += env.y[i * p + m] * u[i * k + best];
    return sign * x;
  });
}

/** A category's mode in the coherence environment: its block's top singular triple, embedded. */
export interface CategoryMode {
  readonly s: number;
  /** features and items vectors of the whole environment (zero outside the block) */
  readonly u: Float64Array;
  readonly v: Float64Array;
}

export function categoryModes(env: CoherenceEnvironment): CategoryMode[] {
  const p = env.items.length, nf = env.features.length;
  return env.blocks.map(({ design: d, item0, feature0 }) => {
    const block = new Float64Array(d.features * d.items);
    for (let f = 0; f < d.features; f++) {
      for (let j = 0; j < d.items; j++) {
        block[f * d.items + j] = env.y[(feature0 + f) * p + item0 + j];
      }
    }
    const b = svd({ rows: d.features, cols: d.items, data: block });
    const kb = b.s.length;
    const u = new Float64Array(nf), v = new Float64Array(p);
    // signed so that the mode's vectors point along the block's (nonnegative) entries
    let sum = 0;
    for (let f = 0; f < d.features; f++) sum += b.u.data[f * kb];
    const sign = sum < 0 ? -1 : 1;
    for (let f = 0; f < d.features; f++) u[feature0 + f] = sign * b.u.data[f * kb];
    for (let j = 0; j < d.items; j++) v[item0 + j] = sign * b.v.data[j * kb];
    return { s: b.s[0], u, v };
  });
}

/** uᵀ Ŷ v: a mode's strength in a prediction */
export function strengthOf(prediction: Float64Array, u: Float64Array, v: Float64Array): number {
  const p = v.length;
  let x = 0;
  for (let i = 0; i < u.length; i++) {
    if (u[i] === 0) continue;
    for (let m = 0; m < p; m++) x += u[i] * prediction[i * p + m] * v[m];
  }
  return x;
}
