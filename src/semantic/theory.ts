/**
 * The exact learning dynamics of a deep linear net on one-hot items (Saxe, McClelland &
 * Ganguli 2019, from ICLR 2014): with Y = U S Vᵀ, a balanced decoupled net's prediction at
 * step t is Ŷ(t) = U A(t) Vᵀ, each mode's strength a_α following the exact recursion of the
 * gradient-descent steps (src/linear/theory.ts, modeStrengthSteps). Everything the phenomena
 * read is a function of A(t):
 *
 *   prediction        Ŷ_iμ = Σ_α a_α U_iα V_μα
 *   novel item        W_D W_Dᵀ e_f / (W_D W_Dᵀ)_ff = U A^{2/D} Uᵀ e_f / (U A^{2/D} Uᵀ)_ff
 *   novel property    h_gᵀ h_μ / ‖h_g‖²            = (V A^{2(D−1)/D} Vᵀ)_gμ / (…)_gg
 *
 * (each layer of the balanced net carries A^{1/D}: W_D = U A^{1/D} Rᵀ, and the last hidden
 * layer holds R A^{(D−1)/D} Vᵀ.) The minimum-norm fits are what gradient descent from zero
 * converges to, as net.ts's probes do.
 *
 * @module
 */
import { svd } from "../numerics/svd.ts";
import { modeStrengthSteps } from "../linear/theory.ts";

/** The strength a mode of the paper's small random start grows from: each layer's gain, σ√h, to the D. */
export function initialStrength(initStd: number, hidden: number, depth: number): number {
  return (initStd * Math.sqrt(hidden)) ** depth;
}

export class ModeTheory {
  /** features × k and items × k, column α the mode's synthesizer and analyzer */
  readonly u: Float64Array;
  readonly v: Float64Array;
  readonly s: Float64Array;
  readonly k: number;
  readonly #a: Float64Array[];

  /** y: features × items; the modes with s > 1e-9 s_max, strongest first */
  constructor(
    y: Float64Array,
    readonly features: number,
    readonly items: number,
    readonly depth: number,
    lr: number,
    readonly steps: number,
    a0: number,
  ) {
    const d = svd({ rows: features, cols: items, data: y });
    const kAll = d.s.length;
    let k = 0;
    while (k < kAll && d.s[k] > 1e-9 * d.s[0]) k++;
    this.k = k;
    this.s = d.s.slice(0, k);
    this.u = new Float64Array(features * k);
    this.v = new Float64Array(items * k);
    for (let i = 0; i < features; i++) {
      for (let a = 0; a < k; a++) this.u[i * k + a] = d.u.data[i * kAll + a];
    }
    for (let m = 0; m < items; m++) {
      for (let a = 0; a < k; a++) this.v[m * k + a] = d.v.data[m * kAll + a];
    }
    this.#a = Array.from(this.s, (s) => modeStrengthSteps(s, a0, depth, lr, steps));
  }

  /** a_α at step t, every mode */
  strengths(t: number): Float64Array {
    return Float64Array.from(this.#a, (a) => a[t]);
  }

  /** Ŷ(t), features × items */
  prediction(t: number): Float64Array {
    const { k, u, v, features, items } = this, a = this.strengths(t);
    const out = new Float64Array(features * items);
    for (let i = 0; i < features; i++) {
      for (let m = 0; m < items; m++) {
        let x = 0;
        for (let al = 0; al < k; al++) x += a[al] * u[i * k + al] * v[m * k + al];
        out[i * items + m] = x;
      }
    }
    return out;
  }

  /** The novel item told feature f = 1: its predicted features at step t. */
  novelItem(t: number, f: number): Float64Array {
    const { k, u, features } = this;
    const w = Array.from(this.strengths(t), (a) => Math.max(a, 0) ** (2 / this.depth));
    return this.#spread(u, features, k, f, w);
  }

  /** The novel property told of item g: its predicted value for every item at step t. */
  novelProperty(t: number, g: number): Float64Array {
    const { k, v, items, depth } = this;
    const w = Array.from(this.strengths(t), (a) => Math.max(a, 0) ** (2 * (depth - 1) / depth));
    return this.#spread(v, items, k, g, w);
  }

  /** (M W Mᵀ)[:, g] / (M W Mᵀ)[g, g] for M rows × k, W diagonal */
  #spread(m: Float64Array, rows: number, k: number, g: number, w: number[]): Float64Array {
    const out = new Float64Array(rows);
    let norm = 0;
    for (let a = 0; a < k; a++) norm += w[a] * m[g * k + a] ** 2;
    if (norm === 0) return out;
    for (let i = 0; i < rows; i++) {
      let x = 0;
      for (let a = 0; a < k; a++) x += w[a] * m[i * k + a] * m[g * k + a];
      out[i] = x / norm;
    }
    return out;
  }
}
