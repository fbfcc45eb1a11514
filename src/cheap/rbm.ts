/**
 * Restricted Boltzmann machines (binary units, E(v, h) = −vᵀWh − bᵀv − cᵀh) trained by
 * contrastive divergence (Hinton 2002), as stacked by Mehta & Schwab 2014 on Ising samples.
 *
 * Two implementations of one rule: a float64 reference (any size; the enumerable 4 × 2
 * machine of the tests, where the exact log-likelihood gradient is a sum over 2⁴·2² states)
 * and `SimdRbm`, the same CD-1 step on the WebAssembly SIMD kernels of src/compute for the
 * 1024 × 256 layer (≈ 0.8 GFLOP a batch of 100; scalar JS would take seconds per epoch).
 * W is visible-major: W[i·nh + j] joins visible i and hidden j.
 *
 * @module
 */
import { instantiateKernels, type Kernels } from "../compute/simd_kernels.ts";
import type { Rng } from "../random/rng.ts";
import { sigmoid } from "./activations.ts";
import { cdStatistics, RBM_SHARD_ROWS } from "./rbm_shards.ts";

export interface RbmParams {
  readonly nv: number;
  readonly nh: number;
  readonly W: Float64Array;
  readonly b: Float64Array;
  readonly c: Float64Array;
}

/** p(h_j = 1 | v) for every j */
export function hiddenProbabilities(r: RbmParams, v: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(r.c);
  for (let i = 0; i < r.nv; i++) {
    if (v[i] === 0) continue;
    for (let j = 0; j < r.nh; j++) p[j] += v[i] * r.W[i * r.nh + j];
  }
  return p.map(sigmoid);
}

/** p(v_i = 1 | h) for every i */
export function visibleProbabilities(r: RbmParams, h: ArrayLike<number>): Float64Array {
  const p = Float64Array.from(r.b);
  for (let i = 0; i < r.nv; i++) {
    let s = 0;
    for (let j = 0; j < r.nh; j++) s += r.W[i * r.nh + j] * h[j];
    p[i] += s;
  }
  return p.map(sigmoid);
}

const bernoulli = (p: Float64Array, rng: Rng) => p.map((x) => (rng.uniform() < x ? 1 : 0));

/** The gradient of a log-likelihood as [dW, db, dc] */
export type Gradient = [Float64Array, Float64Array, Float64Array];

/**
 * The exact gradient of the mean log-likelihood of `data` (rows of nv), by enumerating
 * every (v, h): ⟨v p(h|v)ᵀ⟩_data − ⟨v hᵀ⟩_model. Only for machines of ≲ 20 units in all.
 */
export function exactGradient(r: RbmParams, data: readonly ArrayLike<number>[]): Gradient {
  const { nv, nh } = r;
  const dW = new Float64Array(nv * nh), db = new Float64Array(nv), dc = new Float64Array(nh);
  for (const v of data) {
    const ph = hiddenProbabilities(r, v);
    for (let i = 0; i < nv; i++) {
      db[i] += v[i] / data.length;
      for (let j = 0; j < nh; j++) dW[i * nh + j] += v[i] * ph[j] / data.length;
    }
    for (let j = 0; j < nh; j++) dc[j] += ph[j] / data.length;
  }
  // the model's side: p(v, h) ∝ exp(−E) over all 2^(nv+nh) states
  const states: { v: number[]; h: number[]; w: number }[] = [];
  let z = 0;
  for (let sv = 0; sv < 1 << nv; sv++) {
    const v = Array.from({ length: nv }, (_, i) => (sv >> i) & 1);
    for (let sh = 0; sh < 1 << nh; sh++) {
      const h = Array.from({ length: nh }, (_, j) => (sh >> j) & 1);
      let minusE = 0;
      for (let i = 0; i < nv; i++) {
        minusE += r.b[i] * v[i];
        for (let j = 0; j < nh; j++) minusE += v[i] * r.W[i * nh + j] * h[j];
      }
      for (let j = 0; j < nh; j++) minusE += r.c[j] * h[j];
      const w = Math.exp(minusE);
      z += w;
      states.push({ v, h, w });
    }
  }
  for (const { v, h, w } of states) {
    const p = w / z;
    for (let i = 0; i < nv; i++) {
      db[i] -= p * v[i];
      for (let j = 0; j < nh; j++) dW[i * nh + j] -= p * v[i] * h[j];
    }
    for (let j = 0; j < nh; j++) dc[j] -= p * h[j];
  }
  return [dW, db, dc];
}

/**
 * The CD-k estimate of that gradient from one pass over `data`: the data side as above, the
 * model side from k steps of block Gibbs sampling started at each data vector (Hinton 2002).
 * The last h enters as p(h|v), which keeps the estimate unbiased given v; the last v is a
 * sample, unless `lastVisible` is "probability" (Hinton's practical guide, and SimdRbm: less
 * noise, a small bias that does not vanish as k grows, since p(h|E v) ≠ E p(h|v)).
 */
export function cdGradient(
  r: RbmParams,
  data: readonly ArrayLike<number>[],
  k: number,
  rng: Rng,
  lastVisible: "sample" | "probability" = "sample",
): Gradient {
  const { nv, nh } = r;
  const dW = new Float64Array(nv * nh), db = new Float64Array(nv), dc = new Float64Array(nh);
  const scale = 1 / data.length;
  for (const v0 of data) {
    const ph0 = hiddenProbabilities(r, v0);
    let h: Float64Array = bernoulli(ph0, rng), v: Float64Array = new Float64Array(nv);
    for (let step = 0; step < k; step++) {
      const last = step + 1 === k;
      const pv = visibleProbabilities(r, h);
      v = last && lastVisible === "probability" ? pv : bernoulli(pv, rng);
      const ph = hiddenProbabilities(r, v);
      h = last ? ph : bernoulli(ph, rng);
    }
    for (let i = 0; i < nv; i++) {
      db[i] += (v0[i] - v[i]) * scale;
      for (let j = 0; j < nh; j++) dW[i * nh + j] += (v0[i] * ph0[j] - v[i] * h[j]) * scale;
    }
    for (let j = 0; j < nh; j++) dc[j] += (ph0[j] - h[j]) * scale;
  }
  return [dW, db, dc];
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;
/** the shards a batch is cut into (rbm_shards.ts) */
const shardsOf = (batch: number) => Math.ceil(batch / RBM_SHARD_ROWS);

/**
 * The CD-1 step of `cdGradient` (k = 1) in float32 on the SIMD kernels, a batch of `batch`
 * visible vectors at a time (in shards over the kernel pool's threads: rbm_shards.ts), with momentum and L1 weight decay (which Mehta & Schwab
 * use to make the receptive fields sparse). nv and nh must be multiples of 4.
 *
 * Every product is the kernels' plain `rowmat` (A·W): h0 = v0·W, v1 = h0·Wᵀ with Wᵀ copied
 * each step (the kernels' transpose: 4.4 ms a step as a TypeScript loop), and the gradient
 * [v0; v1]ᵀ·[h0; −ph1] as one product of the stacked batch's transpose, one per shard. The
 * update sums the shards' gradients in shard order and steps W in one kernel pass
 * (`momentum_l1`, float32).
 */
export class SimdRbm {
  readonly #k: Kernels;
  readonly #buf: Record<string, [Float32Array, number]> = {};
  readonly b: Float64Array;
  readonly c: Float64Array;
  /** the shards a batch is cut into (rbm_shards.ts), fixed by the batch */
  readonly shards: number;
  readonly #ph0: Float32Array;

  private constructor(
    k: Kernels,
    readonly nv: number,
    readonly nh: number,
    readonly batch: number,
  ) {
    this.#k = k;
    this.shards = shardsOf(batch);
    let at = 0;
    const take = (name: string, n: number) => {
      this.#buf[name] = [new Float32Array(k.memory.buffer, at, n), at];
      at += n * 4;
    };
    take("W", nv * nh);
    take("WT", nh * nv);
    take("v0", batch * nv);
    take("h0", batch * nh);
    take("v1", batch * nv);
    take("ph1", batch * nh);
    take("AT", nv * pad4(2 * batch));
    take("C", pad4(2 * batch) * nh);
    take("G", nv * nh);
    take("velocity", nv * nh);
    take("shardG", this.shards * nv * nh);
    this.b = new Float64Array(nv);
    this.c = new Float64Array(nh);
    this.#ph0 = new Float32Array(batch * nh);
  }

  static bytes(nv: number, nh: number, batch: number): number {
    return 4 *
      ((4 + shardsOf(batch)) * nv * nh + 2 * batch * (nv + nh) + pad4(2 * batch) * (nv + nh));
  }

  static async create(nv: number, nh: number, batch: number, rng: Rng): Promise<SimdRbm> {
    if (nv !== pad4(nv) || nh !== pad4(nh) || !(batch >= 1)) {
      throw new RangeError(
        `SimdRbm needs nv, nh multiples of 4 and a batch ≥ 1 (got ${nv}, ${nh}, ${batch})`,
      );
    }
    const r = new SimdRbm(await instantiateKernels(SimdRbm.bytes(nv, nh, batch)), nv, nh, batch);
    rng.fillNormal(r.W, 0.01); // Hinton's practical guide: N(0, 0.01²)
    return r;
  }

  /** the weights, visible-major (a view: read, do not keep across steps) */
  get W(): Float32Array {
    return this.#buf.W[0];
  }

  /** A copy of the weights (the interface GpuRbm shares: its weights live on the GPU). */
  weights(): Promise<Float32Array> {
    return Promise.resolve(this.W.slice());
  }

  /** Nothing to free: the kernels' memory goes with the object (GpuRbm's interface). */
  dispose(): void {}

  /** Shard s's CD statistics G (nv × nh), which `applyUpdate` sums: a view into the kernels' memory. */
  shardGradient(s: number): Float32Array {
    const n = this.nv * this.nh, [all] = this.#buf.shardG;
    return all.subarray(s * n, (s + 1) * n);
  }

  /** visible biases from the data's means, ln(p/(1 − p)) (Hinton's guide, §8) */
  setVisibleBiases(means: ArrayLike<number>): void {
    for (let i = 0; i < this.nv; i++) {
      const p = Math.min(Math.max(means[i], 1e-3), 1 - 1e-3);
      this.b[i] = Math.log(p / (1 - p));
    }
  }

  /**
   * One CD-1 step on `v0` (batch × nv, 0/1), here or, with a kernel pool of several threads,
   * shard by shard on replicas (rbm_shards.ts; the same bits either way). Returns the mean
   * squared reconstruction error Σ(v0 − p(v|h0))²/(batch·nv). `lr` is per example; `l1`
   * shrinks each weight by lr·l1 a step.
   */
  step(v0: ArrayLike<number>, lr: number, l1: number, momentum: number, rng: Rng): number {
    const { nv, nh, batch } = this;
    // h0's draws, in the order one pass over the batch takes them
    const uniforms = new Float64Array(batch * nh);
    for (let q = 0; q < uniforms.length; q++) uniforms[q] = rng.uniform();
    const sums = cdStatistics(this, v0, uniforms);
    this.applyUpdate(sums.db, sums.dc, lr, l1, momentum);
    return sums.err / (batch * nv);
  }

  /**
   * CD-1's statistics of rows from…from + rows of `v0` (each row nv 0/1 values), with h0
   * drawn against `uniforms` (rows × nh, the same rows): into G (nv × nh) v0ᵀp(h|v0) −
   * v1ᵀp(h|v1), into db and dc their bias parts (overwritten, not added); returns the summed
   * squared reconstruction error. At most `batch` rows a call.
   */
  statistics(
    v0: ArrayLike<number>,
    from: number,
    rows: number,
    uniforms: ArrayLike<number>,
    G: Float32Array,
    db: Float64Array,
    dc: Float64Array,
  ): number {
    const { nv, nh } = this, k = this.#k, B = this.#buf;
    if (rows > this.batch) throw new RangeError(`at most ${this.batch} rows, got ${rows}`);
    const [, wP] = B.W, [, wtP] = B.WT, [V0, v0P] = B.v0, [H0, h0P] = B.h0;
    const [V1, v1P] = B.v1, [PH1, ph1P] = B.ph1, [AT, atP] = B.AT, [C, cP] = B.C, [Gk, gP] = B.G;
    for (let q = 0; q < rows * nv; q++) V0[q] = v0[from * nv + q];
    k.rowmat(v0P, rows, wP, nv, nh, h0P);
    const ph0 = this.#ph0;
    for (let m = 0; m < rows; m++) {
      for (let j = 0; j < nh; j++) {
        const p = ph0[m * nh + j] = sigmoid(H0[m * nh + j] + this.c[j]);
        H0[m * nh + j] = uniforms[m * nh + j] < p ? 1 : 0;
      }
    }
    k.transpose(wP, nv, nh, wtP);
    k.rowmat(h0P, rows, wtP, nh, nv, v1P);
    db.fill(0);
    dc.fill(0);
    let err = 0;
    for (let m = 0; m < rows; m++) {
      for (let i = 0; i < nv; i++) {
        const p = sigmoid(V1[m * nv + i] + this.b[i]);
        const d = V0[m * nv + i] - p;
        err += d * d;
        db[i] += d;
        V1[m * nv + i] = p; // the reconstruction's probabilities drive the negative phase
      }
    }
    k.rowmat(v1P, rows, wP, nv, nh, ph1P);
    for (let m = 0; m < rows; m++) {
      for (let j = 0; j < nh; j++) {
        const p = sigmoid(PH1[m * nh + j] + this.c[j]);
        C[m * nh + j] = ph0[m * nh + j]; // p(h|v0): the positive statistics' expectation
        C[(rows + m) * nh + j] = -p;
        dc[j] += ph0[m * nh + j] - p;
      }
    }
    // the stacked batch's inner dimension padded to a multiple of 4 (the kernel's), pads 0
    const inner = pad4(2 * rows);
    C.fill(0, 2 * rows * nh, inner * nh);
    for (let i = 0; i < nv; i++) {
      for (let m = 0; m < rows; m++) {
        AT[i * inner + m] = V0[m * nv + i];
        AT[i * inner + rows + m] = V1[m * nv + i];
      }
      for (let m = 2 * rows; m < inner; m++) AT[i * inner + m] = 0;
    }
    k.rowmat(atP, nv, cP, inner, nh, gP); // G = v0ᵀh0 − v1ᵀph1
    G.set(Gk);
    return err;
  }

  /**
   * The step from the shards' statistics (every `shardGradient`, summed in shard order) and
   * the batch's bias sums: momentum and L1 decay on W, then W, b, c.
   */
  applyUpdate(db: Float64Array, dc: Float64Array, lr: number, l1: number, momentum: number): void {
    const { nv, nh, batch } = this, B = this.#buf;
    const rate = lr / batch;
    this.#k.momentum_l1(
      B.W[1],
      B.velocity[1],
      B.shardG[1],
      this.shards,
      nv * nh,
      momentum,
      rate,
      lr * l1,
    );
    for (let i = 0; i < nv; i++) this.b[i] += rate * db[i];
    for (let j = 0; j < nh; j++) this.c[j] += rate * dc[j];
  }
}
