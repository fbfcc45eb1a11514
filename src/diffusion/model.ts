/**
 * The reverse process p(x^{t−1} | x^t) of Sohl-Dickstein et al. 2015 (§2.2,
 * Appendix D.1): a tanh MLP of x^t shared across time, whose last layer is read
 * out by time-dependent weights (a mix of `basis` bump functions of t; with as many
 * bumps as steps, one readout per step). Float64 with hand-written gradients, one
 * example at a time: the reference (tests check its gradient against finite
 * differences) that the batched float32 trainer (simd_model.ts) is held to, and the
 * owner of θ's layout and of the loss head both share.
 *
 * Gaussian (Swiss roll), as in the paper's code: with readouts (m, c),
 *   mean  = x^t √(1−β_t) + m √β_t,   variance = σ(c/√T + logit β_t),
 * a perturbation of the forward kernel; or, given a `KernelBase` (gaussian_base.ts), of that
 * kernel instead: mean = a_t x^t + b_t + m √β_t, variance = σ(c/√T + logitVariance_t).
 * Binomial (heartbeat): logit p(x^{t−1} = 1)
 *   = r + logit(x^t (1−β_t) + β_t/2).
 *
 * The training objective is the bound's KL terms: E_t KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)),
 * t uniform on 2…T, one t per example.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { alphaBar, bernoulliEntropy, gaussianPosterior } from "./schedule.ts";
import type { KernelBase, Prior } from "./gaussian_base.ts";

export type Kind = "gaussian" | "binomial";

export interface ModelSpec {
  readonly kind: Kind;
  /** data dimension */
  readonly d: number;
  readonly hidden: readonly number[];
  /** bump functions of t mixed by the readout (= T: one readout per step) */
  readonly basis: number;
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** keeps logits of kernel probabilities finite when β_t/2 underflows nothing but is tiny */
const clampP = (p: number) => Math.min(1 - 1e-12, Math.max(1e-12, p));

/** logit of the binomial forward kernel q(x^t = 1 | x^{t−1} = x), the reverse logit's offset */
const kernelLogit = (x: number, bt: number) => logit(clampP(x * (1 - bt) + bt / 2));

/**
 * Weights of t = 1…T on `basis` Gaussian bumps evenly spaced over [−1, 1] (width
 * half their spacing), normalised to sum to 1 at each t — the released code's
 * temporal basis; basis = T gives the identity (one readout per step).
 */
export function temporalBasis(steps: number, basis: number): Float64Array[] {
  return Array.from({ length: steps }, (_, i) => {
    const w = new Float64Array(basis);
    if (basis === steps) {
      w[i] = 1;
      return w;
    }
    const x = steps === 1 ? 0 : -1 + (2 * i) / (steps - 1);
    const width = basis === 1 ? Infinity : 1 / (basis - 1);
    let s = 0;
    for (let b = 0; b < basis; b++) {
      const c = basis === 1 ? 0 : -1 + (2 * b) / (basis - 1);
      w[b] = Math.exp(-((x - c) ** 2) / (2 * width * width));
      s += w[b];
    }
    for (let b = 0; b < basis; b++) w[b] /= s;
    return w;
  });
}

export interface Batch {
  /** x^0 and x^t, row-major count × d */
  readonly x0: Float64Array;
  readonly xt: Float64Array;
  /** each example's t, in 2…T */
  readonly t: Int32Array;
}

/**
 * What K, the reverse chain and the step entropies need of a trained reverse process,
 * whether the float64 reference at some θ (`ReverseModel.at`) or the batched float32
 * model (simd_model.ts).
 */
export interface ReverseKernel {
  readonly spec: ModelSpec;
  readonly beta: Float64Array;
  readonly ab: Float64Array;
  /** p(x^T) per coordinate (the kernel base's), or null for the paper's N(0, I) */
  readonly prior: Prior | null;
  /** KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)) of each example, nats summed over dimensions */
  kl(batch: Batch): Float64Array;
  /**
   * p(x^{t−1} | x^t) at one t ≥ 2 for every row of `xt` (row-major like it): Gaussian mean
   * and variance per dimension, or the Bernoulli probability in `mean`.
   */
  reverseAll(xt: Float64Array, t: number): { mean: Float64Array; variance: Float64Array };
}

/** What the reverse chain and the step entropies need: p(x^{t−1} | x^t), no KL. */
export type ReverseSampler = Omit<ReverseKernel, "kl">;

export class ReverseModel {
  readonly n: number;
  readonly outputs: number;
  readonly ab: Float64Array;
  readonly #sizes: number[];
  readonly #basis: Float64Array[];
  /** offsets of W_l and b_l, then of the readout R (basis × outputs × H) and its bias */
  readonly #off: { w: number; b: number }[] = [];
  readonly #rOff: number;
  readonly #cOff: number;
  /** Gaussian q(x^{t−1}|x^t,x^0)'s coefficients, index t (2…T) */
  readonly #posterior: ReturnType<typeof gaussianPosterior>[];

  /**
   * `base`: the Gaussian reverse kernel the readouts perturb, (T + 1) × d per array; absent,
   * the forward kernel (the paper's).
   */
  constructor(
    readonly spec: ModelSpec,
    readonly beta: Float64Array,
    readonly base: KernelBase | null = null,
  ) {
    const T = beta.length;
    if (spec.basis < 1 || spec.basis > T) {
      throw new RangeError(`basis must be in 1…${T}, got ${spec.basis}`);
    }
    if (base) {
      if (spec.kind !== "gaussian") throw new RangeError("a kernel base needs Gaussian diffusion");
      const size = (T + 1) * spec.d;
      if ([base.a, base.b, base.logitVariance].some((v) => v.length !== size)) {
        throw new RangeError(`a kernel base needs (T + 1) × d = ${size} entries per array`);
      }
    }
    this.ab = alphaBar(beta);
    this.#posterior = Array.from(
      { length: T + 1 },
      (_, t) => t < 2 ? { a: 0, b: 0, variance: 1 } : gaussianPosterior(beta, this.ab, t),
    );
    this.outputs = spec.kind === "gaussian" ? 2 * spec.d : spec.d;
    this.#sizes = [spec.d, ...spec.hidden];
    this.#basis = temporalBasis(T, spec.basis);
    let o = 0;
    for (let l = 1; l < this.#sizes.length; l++) {
      const w = o;
      o += this.#sizes[l] * this.#sizes[l - 1];
      this.#off.push({ w, b: o });
      o += this.#sizes[l];
    }
    this.#rOff = o;
    o += spec.basis * this.outputs * this.#last;
    this.#cOff = o;
    o += spec.basis * this.outputs;
    this.n = o;
  }

  get #last(): number {
    return this.#sizes[this.#sizes.length - 1];
  }

  /**
   * Where each block of θ sits (row-major W_l of fan-out × fan-in, then b_l; the
   * readout R as basis × outputs rows of H; its bias as basis × outputs), and the
   * temporal basis weights of each t — what the batched float32 twin (simd_model.ts)
   * needs to read and write the same θ.
   */
  get layout(): {
    layers: { w: number; b: number; rows: number; cols: number }[];
    readout: number;
    readoutBias: number;
    width: number;
    basis: readonly Float64Array[];
  } {
    return {
      layers: this.#off.map((o, l) => ({ ...o, rows: this.#sizes[l + 1], cols: this.#sizes[l] })),
      readout: this.#rOff,
      readoutBias: this.#cOff,
      width: this.#last,
      basis: this.#basis,
    };
  }

  /**
   * One row's readout at step t from every basis readout without its bias (`all` from `at`,
   * basis × outputs) and the readout bias `c`: Σ_q w_q(t) (all_q + c_q), into out[outAt…]. The
   * batched float32 models (simd_model.ts, gpu_model.ts) compute `all` as one product and
   * mix it here before `head`.
   */
  mixReadout(
    all: ArrayLike<number>,
    at: number,
    c: ArrayLike<number>,
    t: number,
    out: Float64Array,
    outAt: number,
  ): void {
    const O = this.outputs, w = this.#basis[t - 1];
    for (let o = 0; o < O; o++) {
      let s = 0;
      for (let q = 0; q < w.length; q++) {
        if (w[q] !== 0) s += w[q] * (all[at + q * O + o] + c[q * O + o]);
      }
      out[outAt + o] = s;
    }
  }

  /**
   * mixReadout's adjoint: scale × w_q(t) × dOut (row `dOutAt`) into dAll from `at` for each basis
   * readout, and the same added to the readout bias's block of grad. Entries of bases with
   * w_q(t) = 0 are left as they are (the callers zero dAll first).
   */
  spreadReadout(
    dOut: Float64Array,
    dOutAt: number,
    t: number,
    scale: number,
    dAll: Float32Array,
    at: number,
    grad: Float64Array,
  ): void {
    const O = this.outputs, w = this.#basis[t - 1];
    for (let q = 0; q < w.length; q++) {
      if (w[q] === 0) continue;
      for (let o = 0; o < O; o++) {
        const g = scale * w[q] * dOut[dOutAt + o];
        dAll[at + q * O + o] = g;
        grad[this.#cOff + q * O + o] += g;
      }
    }
  }

  /** Weights N(0, 1/fan-in), biases 0, readout 0: p starts as the forward kernel (or the base). */
  init(rng: Rng): Float64Array {
    const theta = new Float64Array(this.n);
    this.#off.forEach(({ w, b }, l) => {
      const std = 1 / Math.sqrt(this.#sizes[l]);
      for (let i = w; i < b; i++) theta[i] = std * rng.normal();
    });
    return theta;
  }

  /** Hidden activations of every layer for one input (index 0 is the input). */
  #trunk(theta: Float64Array, x: Float64Array, xOff: number): Float64Array[] {
    const acts = [x.subarray(xOff, xOff + this.spec.d)];
    for (let l = 1; l < this.#sizes.length; l++) {
      const prev = acts[l - 1];
      const { w, b } = this.#off[l - 1];
      const nIn = this.#sizes[l - 1];
      const h = new Float64Array(this.#sizes[l]);
      for (let i = 0; i < h.length; i++) {
        let s = theta[b + i];
        for (let j = 0; j < nIn; j++) s += theta[w + i * nIn + j] * prev[j];
        h[i] = Math.tanh(s);
      }
      acts.push(h);
    }
    return acts;
  }

  /** The readout at step t (1…T) for last-layer activations h. */
  #readout(theta: Float64Array, h: Float64Array, t: number): Float64Array {
    const H = this.#last;
    const O = this.outputs;
    const w = this.#basis[t - 1];
    const out = new Float64Array(O);
    for (let b = 0; b < w.length; b++) {
      if (w[b] === 0) continue;
      for (let o = 0; o < O; o++) {
        let s = theta[this.#cOff + b * O + o];
        const r = this.#rOff + (b * O + o) * H;
        for (let j = 0; j < H; j++) s += theta[r + j] * h[j];
        out[o] += w[b] * s;
      }
    }
    return out;
  }

  /**
   * p(x^{t−1} | x^t) for one example: Gaussian mean and variance per dimension, or
   * the Bernoulli probability (variance unused).
   */
  reverse(theta: Float64Array, xt: Float64Array, off: number, t: number) {
    const acts = this.#trunk(theta, xt, off);
    const out = this.#readout(theta, acts[acts.length - 1], t);
    return { acts, out, ...this.params(out, 0, xt, off, t) };
  }

  /** This model at θ, as the kernel interface K, sampling and entropies take. */
  at(theta: Float64Array): ReverseKernel {
    const { d } = this.spec;
    return {
      spec: this.spec,
      beta: this.beta,
      ab: this.ab,
      prior: this.base?.prior ?? null,
      kl: (batch) => this.kl(theta, batch),
      reverseAll: (xt, t) => {
        const mean = new Float64Array(xt.length);
        const variance = new Float64Array(xt.length);
        for (let off = 0; off < xt.length; off += d) {
          const r = this.reverse(theta, xt, off, t);
          mean.set(r.mean, off);
          variance.set(r.variance, off);
        }
        return { mean, variance };
      },
    };
  }

  /**
   * p(x^{t−1} | x^t) per dimension from the readout `out` (row `oOff` of a row-major
   * array of `outputs` columns) at x^t = row `off` of `xt`.
   */
  params(out: ArrayLike<number>, oOff: number, xt: Float64Array, off: number, t: number) {
    const d = this.spec.d;
    const bt = this.beta[t - 1];
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    const base = this.base;
    if (base) {
      const sb = Math.sqrt(bt), sT = Math.sqrt(this.beta.length), row = t * d;
      for (let i = 0; i < d; i++) {
        mean[i] = base.a[row + i] * xt[off + i] + base.b[row + i] + out[oOff + i] * sb;
        variance[i] = sigmoid(out[oOff + d + i] / sT + base.logitVariance[row + i]);
      }
      return { mean, variance };
    }
    for (let i = 0; i < d; i++) {
      const x = xt[off + i];
      if (this.spec.kind === "gaussian") {
        mean[i] = x * Math.sqrt(1 - bt) + out[oOff + i] * Math.sqrt(bt);
        variance[i] = sigmoid(out[oOff + d + i] / Math.sqrt(this.beta.length) + logit(bt));
      } else {
        mean[i] = sigmoid(out[oOff + i] + kernelLogit(x, bt));
      }
    }
    return { mean, variance };
  }

  /**
   * The loss head, in float64 whoever computed the readout (this model or the batched
   * float32 one, simd_model.ts): KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)) of example e of
   * `batch` (nats, summed over dimensions) from its readout (row `oOff` of `out`), and
   * d KL / d readout written into dOut (`outputs` entries from dOff).
   */
  head(
    out: ArrayLike<number>,
    oOff: number,
    batch: Batch,
    e: number,
    dOut: Float64Array,
    dOff: number,
  ): number {
    const { d } = this.spec;
    const T = this.beta.length;
    const t = batch.t[e];
    const off = e * d;
    const bt = this.beta[t - 1];
    const r = this.params(out, oOff, batch.xt, off, t);
    let kl = 0;
    if (this.spec.kind === "gaussian") {
      const post = this.#posterior[t];
      for (let i = 0; i < d; i++) {
        const mq = post.a * batch.x0[off + i] + post.b * batch.xt[off + i];
        const s = r.variance[i];
        const diff = mq - r.mean[i];
        kl += 0.5 * Math.log(s / post.variance) + (post.variance + diff * diff) / (2 * s) - 0.5;
        dOut[dOff + i] = (-diff / s) * Math.sqrt(bt);
        dOut[dOff + d + i] = (0.5 / s - (post.variance + diff * diff) / (2 * s * s)) * s * (1 - s) /
          Math.sqrt(T);
      }
    } else {
      for (let i = 0; i < d; i++) {
        const pq = binomialPosterior(this.beta, this.ab, t, batch.x0[off + i], batch.xt[off + i]);
        const p = r.mean[i];
        kl += bernoulliKl(pq, p);
        dOut[dOff + i] = p - pq;
      }
    }
    return kl;
  }

  /**
   * KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)) for each example (nats, summed over
   * dimensions), and if `grad` is given, adds d(mean KL)/dθ to it.
   */
  kl(theta: Float64Array, batch: Batch, grad?: Float64Array): Float64Array {
    const count = batch.t.length;
    const out = new Float64Array(count);
    const dOut = new Float64Array(this.outputs); // d KL_e / d readout
    for (let e = 0; e < count; e++) {
      const t = batch.t[e];
      const acts = this.#trunk(theta, batch.xt, e * this.spec.d);
      const readout = this.#readout(theta, acts[acts.length - 1], t);
      out[e] = this.head(readout, 0, batch, e, dOut, 0);
      if (grad) this.#backward(theta, acts, t, dOut, 1 / count, grad);
    }
    return out;
  }

  /** Adds scale × d(readout · dOut)/dθ to grad, through the readout and the trunk. */
  #backward(
    theta: Float64Array,
    acts: Float64Array[],
    t: number,
    dOut: Float64Array,
    scale: number,
    grad: Float64Array,
  ): void {
    const H = this.#last;
    const O = this.outputs;
    const w = this.#basis[t - 1];
    let dh = new Float64Array(H);
    const h = acts[acts.length - 1];
    for (let b = 0; b < w.length; b++) {
      if (w[b] === 0) continue;
      for (let o = 0; o < O; o++) {
        const g = scale * w[b] * dOut[o];
        grad[this.#cOff + b * O + o] += g;
        const r = this.#rOff + (b * O + o) * H;
        for (let j = 0; j < H; j++) {
          grad[r + j] += g * h[j];
          dh[j] += theta[r + j] * g;
        }
      }
    }
    for (let l = this.#sizes.length - 1; l >= 1; l--) {
      const { w: wo, b: bo } = this.#off[l - 1];
      const nIn = this.#sizes[l - 1];
      const out = acts[l];
      const prev = acts[l - 1];
      const dPrev = new Float64Array(nIn);
      for (let i = 0; i < out.length; i++) {
        const dz = dh[i] * (1 - out[i] * out[i]);
        grad[bo + i] += dz;
        for (let j = 0; j < nIn; j++) {
          grad[wo + i * nIn + j] += dz * prev[j];
          dPrev[j] += theta[wo + i * nIn + j] * dz;
        }
      }
      dh = dPrev;
    }
  }
}

/**
 * n draws of x^T from the model's p(x^T), row-major: N(0, I), or the kernel base's prior — one
 * normal draw per entry in order either way, so the two consume `rng` alike.
 */
export function drawPrior(model: Pick<ReverseSampler, "spec" | "prior">, n: number, rng: Rng) {
  const { d } = model.spec;
  const x = new Float64Array(n * d);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const p = model.prior;
  if (p) {
    for (let i = 0; i < x.length; i++) x[i] = p.mean[i % d] + Math.sqrt(p.variance[i % d]) * x[i];
  }
  return x;
}

/**
 * Runs the reverse chain from x^T for every row of `xT`, calling `visit(t, x)` at
 * t = T…0. The last step is the forward kernel reversed under π (p(x^0|x^1) =
 * q(x^1|x^0) π(x^0)/π(x^1), the paper's edge rule), which for both kernels is the
 * kernel itself.
 */
export function sampleReverse(
  model: ReverseSampler,
  xT: Float64Array,
  rng: Rng,
  visit: (t: number, x: Float64Array) => void,
): void {
  const gaussian = model.spec.kind === "gaussian";
  let x = xT.slice();
  const T = model.beta.length;
  visit(T, x);
  for (let t = T; t >= 1; t--) {
    const next = new Float64Array(x.length);
    if (t === 1) {
      const b1 = model.beta[0];
      for (let i = 0; i < x.length; i++) {
        next[i] = gaussian
          ? Math.sqrt(1 - b1) * x[i] + Math.sqrt(b1) * rng.normal()
          : Number(rng.uniform() < x[i] * (1 - b1) + b1 / 2);
      }
    } else {
      const r = model.reverseAll(x, t);
      for (let i = 0; i < x.length; i++) {
        next[i] = gaussian
          ? r.mean[i] + Math.sqrt(r.variance[i]) * rng.normal()
          : Number(rng.uniform() < r.mean[i]);
      }
    }
    x = next;
    visit(t - 1, x);
  }
}

/**
 * The mean entropy (nats) of the reverse step p(x^{t−1} | x^t) over the rows of `xt`:
 * Σ ½ log(2πe σ_i²) for the Gaussian, Σ H(p_i) for the Bernoulli. Taken over forward
 * samples x^t ~ q it is the network's H(X^{t−1}|X^t), which the forward schedule bounds
 * (schedule.ts `reverseEntropyBounds`) for the true reverse process.
 */
export function stepEntropy(model: ReverseSampler, xt: Float64Array, t: number): number {
  const r = model.reverseAll(xt, t);
  let h = 0;
  for (let i = 0; i < xt.length; i++) {
    h += model.spec.kind === "gaussian"
      ? 0.5 * Math.log(2 * Math.PI * Math.E * r.variance[i])
      : bernoulliEntropy(r.mean[i]);
  }
  return h / (xt.length / model.spec.d);
}

/** Binomial q(x^{t−1} = 1 | x^t, x^0) by Bayes' rule. */
export function binomialPosterior(
  beta: Float64Array,
  ab: Float64Array,
  t: number,
  x0: number,
  xt: number,
): number {
  const bt = beta[t - 1];
  const prior = x0 * ab[t - 1] + (1 - ab[t - 1]) / 2; // q(x^{t−1} = 1 | x^0)
  const like1 = xt === 1 ? 1 - bt / 2 : bt / 2; // q(x^t | x^{t−1} = 1)
  const like0 = xt === 1 ? bt / 2 : 1 - bt / 2;
  return (prior * like1) / (prior * like1 + (1 - prior) * like0);
}

/** KL(Bern(q) ‖ Bern(p)) in nats. */
export function bernoulliKl(q: number, p: number): number {
  const term = (a: number, b: number) => (a > 0 ? a * Math.log(a / b) : 0);
  return term(q, p) + term(1 - q, 1 - p);
}
