/**
 * A small tanh network with a linear readout and its exact derivatives in
 * float64, for the loss-landscape experiments (Dauphin et al. 2014 §4; Pennington
 * & Bahri 2017 §4): ε = (1/(2 m k)) Σ_μ ‖f(x_μ) − y_μ‖², m examples, k outputs
 * (per example and output, so the zero net on unit-variance targets has ε = ½,
 * Pennington & Bahri's normalisation).
 *
 * Parameters are one flat vector: for each layer l = 1…L, W_l (n_l × n_{l−1},
 * row-major) then b_l. The Hessian is exact: Pearlmutter's R-operator (1994)
 * applied to the analytic backward pass, one parameter direction at a time. For
 * a basis direction only one layer's weights move, so the R-forward pass starts
 * at that layer from a single unit; the Hessian costs about m·n² multiply-adds
 * (n parameters) rather than the 6·m·n² of dense products.
 *
 * @module
 */
import type { Objective } from "./objective.ts";
import type { Rng } from "../random/rng.ts";

/** Parameters of a net of these sizes: Σ_l n_l (n_{l−1} + 1). */
export function countParams(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * (sizes[l - 1] + 1);
  return n;
}

export class TanhMlp implements Objective {
  readonly n: number;
  readonly layers: number;
  /** offset of W_l and b_l in θ, l = 1…L (index 0 unused) */
  readonly #wOff: number[] = [0];
  readonly #bOff: number[] = [0];

  /** sizes = [inputs, hidden…, outputs]; x is m × sizes[0], y is m × outputs, row-major. */
  constructor(
    readonly sizes: readonly number[],
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly m: number,
    /** κ of a weight decay (κ/2)‖θ‖² added to the objective (not to `dataLoss`) */
    readonly decay = 0,
  ) {
    if (sizes.length < 2) throw new RangeError("TanhMlp: need at least inputs and outputs");
    if (x.length !== m * sizes[0] || y.length !== m * sizes[sizes.length - 1]) {
      throw new RangeError("TanhMlp: data do not match sizes");
    }
    this.layers = sizes.length - 1;
    let off = 0;
    for (let l = 1; l <= this.layers; l++) {
      this.#wOff.push(off);
      off += sizes[l] * sizes[l - 1];
      this.#bOff.push(off);
      off += sizes[l];
    }
    this.n = off;
  }

  get outputs(): number {
    return this.sizes[this.layers];
  }

  /** Which layer and entry parameter j is: W_l[r][s] (s ≥ 0) or b_l[r] (s = −1). */
  locate(j: number): { layer: number; r: number; s: number } {
    for (let l = this.layers; l >= 1; l--) {
      if (j >= this.#bOff[l]) return { layer: l, r: j - this.#bOff[l], s: -1 };
      if (j >= this.#wOff[l]) {
        const q = j - this.#wOff[l];
        const cols = this.sizes[l - 1];
        return { layer: l, r: Math.floor(q / cols), s: q % cols };
      }
    }
    throw new RangeError(`TanhMlp: no parameter ${j}`);
  }

  /** W_l ~ N(0, scale²/n_{l−1}), b = 0 (LeCun's scaling; scale 1 is the usual start). */
  init(rng: Rng, scale = 1): Float64Array {
    const theta = new Float64Array(this.n);
    for (let l = 1; l <= this.layers; l++) {
      const w = theta.subarray(this.#wOff[l], this.#bOff[l]);
      rng.fillNormal(w, scale / Math.sqrt(this.sizes[l - 1]));
    }
    return theta;
  }

  /** Activations a_l of every example, l = 0…L (a_0 = x, a_L the linear readout). */
  #forward(theta: Float64Array): Float64Array[] {
    const { sizes, m } = this;
    const acts: Float64Array[] = [this.x];
    for (let l = 1; l <= this.layers; l++) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const w = this.#wOff[l];
      const b = this.#bOff[l];
      const prev = acts[l - 1];
      const out = new Float64Array(m * nOut);
      for (let mu = 0; mu < m; mu++) {
        for (let r = 0; r < nOut; r++) {
          let h = theta[b + r];
          const wr = w + r * nIn;
          for (let s = 0; s < nIn; s++) h += theta[wr + s] * prev[mu * nIn + s];
          out[mu * nOut + r] = l < this.layers ? Math.tanh(h) : h;
        }
      }
      acts.push(out);
    }
    return acts;
  }

  /** δ_l = ∂ε/∂h_l for every example, l = 1…L (index 0 unused), and ε. */
  #backward(theta: Float64Array, acts: Float64Array[]): { deltas: Float64Array[]; loss: number } {
    const { sizes, m } = this;
    const L = this.layers;
    const k = sizes[L];
    const c = 1 / (m * k);
    const deltas: Float64Array[] = new Array(L + 1);
    const top = new Float64Array(m * k);
    let sse = 0;
    for (let i = 0; i < m * k; i++) {
      const e = acts[L][i] - this.y[i];
      sse += e * e;
      top[i] = c * e;
    }
    deltas[L] = top;
    for (let l = L; l >= 2; l--) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const w = this.#wOff[l];
      const below = new Float64Array(m * nIn);
      for (let mu = 0; mu < m; mu++) {
        for (let r = 0; r < nOut; r++) {
          const dr = deltas[l][mu * nOut + r];
          if (dr === 0) continue;
          const wr = w + r * nIn;
          for (let s = 0; s < nIn; s++) below[mu * nIn + s] += dr * theta[wr + s];
        }
        for (let s = 0; s < nIn; s++) {
          const a = acts[l - 1][mu * nIn + s];
          below[mu * nIn + s] *= 1 - a * a;
        }
      }
      deltas[l - 1] = below;
    }
    return { deltas, loss: (sse * c) / 2 };
  }

  /** The network's outputs on the training inputs (m × outputs). */
  predict(theta: Float64Array): Float64Array {
    return this.#forward(theta)[this.layers];
  }

  /** ε, the data term alone: (1/(2mk)) Σ ‖f(x) − y‖². */
  dataLoss(theta: Float64Array): number {
    const acts = this.#forward(theta);
    const out = acts[this.layers];
    let sse = 0;
    for (let i = 0; i < out.length; i++) sse += (out[i] - this.y[i]) ** 2;
    return sse / (2 * this.m * this.outputs);
  }

  /** The objective: ε + (κ/2)‖θ‖². */
  loss(theta: Float64Array): number {
    return this.dataLoss(theta) + this.#decayTerm(theta);
  }

  #decayTerm(theta: Float64Array): number {
    if (this.decay === 0) return 0;
    let s = 0;
    for (let i = 0; i < theta.length; i++) s += theta[i] * theta[i];
    return (this.decay / 2) * s;
  }

  /** Loss and gradient together (one forward, one backward pass). */
  evaluate(theta: Float64Array): { loss: number; grad: Float64Array } {
    const acts = this.#forward(theta);
    const { deltas, loss } = this.#backward(theta, acts);
    const grad = new Float64Array(this.n);
    for (let l = 1; l <= this.layers; l++) {
      this.#accumulateOuter(grad, l, deltas[l], acts[l - 1]);
    }
    for (let i = 0; i < this.n && this.decay !== 0; i++) grad[i] += this.decay * theta[i];
    return { loss: loss + this.#decayTerm(theta), grad };
  }

  gradient(theta: Float64Array): Float64Array {
    return this.evaluate(theta).grad;
  }

  /** out[W_l] += Σ_μ d_μ a_μᵀ, out[b_l] += Σ_μ d_μ. */
  #accumulateOuter(out: Float64Array, l: number, d: Float64Array, a: Float64Array): void {
    const nIn = this.sizes[l - 1];
    const nOut = this.sizes[l];
    const w = this.#wOff[l];
    const b = this.#bOff[l];
    for (let mu = 0; mu < this.m; mu++) {
      for (let r = 0; r < nOut; r++) {
        const dr = d[mu * nOut + r];
        if (dr === 0) continue;
        out[b + r] += dr;
        const wr = w + r * nIn;
        for (let s = 0; s < nIn; s++) out[wr + s] += dr * a[mu * nIn + s];
      }
    }
  }

  hvp(theta: Float64Array, v: Float64Array): Float64Array {
    const acts = this.#forward(theta);
    const { deltas } = this.#backward(theta, acts);
    const hv = this.#rop(theta, acts, deltas, v, 1);
    for (let i = 0; i < this.n && this.decay !== 0; i++) hv[i] += this.decay * v[i];
    return hv;
  }

  /**
   * The exact Hessian, column by column (H e_j by the R-operator with the
   * direction's single non-zero), symmetrised to remove rounding asymmetry.
   */
  hessian(theta: Float64Array): Float64Array {
    const n = this.n;
    const acts = this.#forward(theta);
    const { deltas } = this.#backward(theta, acts);
    const h = new Float64Array(n * n);
    const e = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      e[j] = 1;
      h.set(this.#rop(theta, acts, deltas, e, this.locate(j).layer), j * n);
      e[j] = 0;
    }
    for (let i = 0; i < n; i++) {
      h[i * n + i] += this.decay;
      for (let j = i + 1; j < n; j++) {
        const s = (h[i * n + j] + h[j * n + i]) / 2;
        h[i * n + j] = s;
        h[j * n + i] = s;
      }
    }
    return h;
  }

  /**
   * R{∇ε} in direction v (Pearlmutter 1994), where v is zero in every layer
   * below `first`: then R(h_l) = R(a_l) = 0 for l < first and the R-forward
   * pass starts at `first`; zero entries of v are skipped.
   */
  #rop(
    theta: Float64Array,
    acts: Float64Array[],
    deltas: Float64Array[],
    v: Float64Array,
    first: number,
  ): Float64Array {
    const { sizes, m } = this;
    const L = this.layers;
    const c = 1 / (m * sizes[L]);
    // R-forward: rh[l] = R(h_l), ra[l] = R(a_l)
    const rh: (Float64Array | null)[] = new Array(L + 1).fill(null);
    const ra: (Float64Array | null)[] = new Array(L + 1).fill(null);
    for (let l = first; l <= L; l++) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const w = this.#wOff[l];
      const b = this.#bOff[l];
      const h = new Float64Array(m * nOut);
      const prevR = ra[l - 1];
      for (let r = 0; r < nOut; r++) {
        const vb = v[b + r];
        const wr = w + r * nIn;
        for (let s = 0; s < nIn; s++) {
          const vw = v[wr + s];
          if (vw === 0) continue;
          for (let mu = 0; mu < m; mu++) h[mu * nOut + r] += vw * acts[l - 1][mu * nIn + s];
        }
        if (vb !== 0) { for (let mu = 0; mu < m; mu++) h[mu * nOut + r] += vb; }
      }
      if (prevR) {
        for (let mu = 0; mu < m; mu++) {
          for (let s = 0; s < nIn; s++) {
            const q = prevR[mu * nIn + s];
            if (q === 0) continue;
            for (let r = 0; r < nOut; r++) h[mu * nOut + r] += theta[w + r * nIn + s] * q;
          }
        }
      }
      rh[l] = h;
      if (l < L) {
        const a = new Float64Array(m * nOut);
        for (let i = 0; i < a.length; i++) a[i] = (1 - acts[l][i] ** 2) * h[i];
        ra[l] = a;
      } else ra[l] = h;
    }
    // R-backward: rd = R(δ_l); R(∇W_l) = Σ R(δ_l) a_{l−1}ᵀ + δ_l R(a_{l−1})ᵀ
    const out = new Float64Array(this.n);
    let rd = new Float64Array(m * sizes[L]);
    for (let i = 0; i < rd.length; i++) rd[i] = c * ra[L]![i];
    for (let l = L; l >= 1; l--) {
      const nIn = sizes[l - 1];
      const nOut = sizes[l];
      const w = this.#wOff[l];
      this.#accumulateOuter(out, l, rd, acts[l - 1]);
      const prevR = ra[l - 1];
      if (prevR) {
        for (let mu = 0; mu < m; mu++) {
          for (let r = 0; r < nOut; r++) {
            const dr = deltas[l][mu * nOut + r];
            if (dr === 0) continue;
            const wr = w + r * nIn;
            for (let s = 0; s < nIn; s++) out[wr + s] += dr * prevR[mu * nIn + s];
          }
        }
      }
      if (l === 1) break;
      // t = Wᵀ δ_l and R(t) = Wᵀ R(δ_l) + V_Wᵀ δ_l; R(δ_{l−1}) = φ'' R(h) t + φ' R(t)
      const below = new Float64Array(m * nIn);
      const rhBelow = rh[l - 1];
      for (let mu = 0; mu < m; mu++) {
        for (let s = 0; s < nIn; s++) {
          let t = 0;
          let rt = 0;
          for (let r = 0; r < nOut; r++) {
            const wv = theta[w + r * nIn + s];
            t += wv * deltas[l][mu * nOut + r];
            rt += wv * rd[mu * nOut + r] + v[w + r * nIn + s] * deltas[l][mu * nOut + r];
          }
          const a = acts[l - 1][mu * nIn + s];
          const d1 = 1 - a * a;
          const d2 = -2 * a * d1;
          below[mu * nIn + s] = (rhBelow ? d2 * rhBelow[mu * nIn + s] * t : 0) + d1 * rt;
        }
      }
      rd = below;
    }
    return out;
  }
}
