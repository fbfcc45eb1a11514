/**
 * A deep fully connected net trained by plain SGD or full-batch gradient descent on the
 * project's WebAssembly SIMD kernels (src/compute/simd_kernels.ts): the trainability map's
 * tanh classifiers (cross-entropy) and the NNGP pipeline's finite nets (squared loss, NTK
 * parametrisation). Every layer of a batch is one `rowmat` product forward and one fused
 * `update` backward (dA_{l−1} = dZ_l B_lᵀ with the old weights, then B_l −= η_l A_{l−1}ᵀ dZ_l),
 * so a step allocates nothing. tfjs-wasm pays ≈ 0.1 ms an op on these small tensors and its
 * weight gradient takes the transposed-operand path (≈ 30× slower): ≈ 67 ms a step at depth
 * 50, width 100, batch 32, against ≈ 11 ms here (docs/benchmarks.md).
 *
 * Network: h¹ = B¹ᵀx + β¹, h^l = B^lᵀ φ(h^{l−1}) + β^l for l ≤ L, outputs B^{out}ᵀ φ(h^L) + β^{out},
 * B_ij ~ N(0, σw²/fan-in), β_i ~ N(0, σb²). The NTK parametrisation (W, b standard normal,
 * B = σw W/√fan-in, β = σb b) is the same function with the same initial law; gradient
 * descent on W at rate η is gradient descent on B at rate η σw²/fan-in and on β at η σb²,
 * which is what `ntkRates` sets.
 *
 * Layout: B = Wᵀ stored fan-in × fan-out, row-major float32, every width padded to a
 * multiple of 4 with zero weights and biases (pad units stay 0 and get zero gradient).
 *
 * @module
 */
import { instantiateKernels, type Kernels } from "./simd_kernels.ts";
import { tanh32 } from "./tanh32.ts";
import { erf } from "../numerics/erf.ts";
import type { Rng } from "../random/rng.ts";
import { randomOrthogonal } from "../linear/init.ts";

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

export type MlpActivation = "tanh" | "relu" | "erf" | "linear";
export type MlpLoss = "cross-entropy" | "squared";

export interface MlpSpec {
  readonly inputs: number;
  readonly outputs: number;
  readonly width: number;
  readonly depth: number;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  /** rows per step and per evaluation chunk; even (the fused kernel takes rows in pairs) */
  readonly batch: number;
  readonly activation?: MlpActivation;
  readonly loss?: MlpLoss;
  /**
   * learning rates relative to the step's rate, per layer (weights) and for the biases; the
   * default 1 everywhere is plain SGD in the standard parametrisation
   */
  readonly rates?: { readonly weights: readonly number[]; readonly biases: number };
  /**
   * weights g·Q instead of Gaussian, Q with orthonormal rows or columns (whichever are fewer)
   * drawn Haar (Saxe, McClelland & Ganguli 2014 §5: "orthogonal initialisation with gain g");
   * σw² is then unused, and g² plays its part in the mean-field maps
   */
  readonly orthogonalGain?: number;
}

/** The NTK parametrisation's rates (the module note): σw²/fan-in a layer, σb² for biases. */
export function ntkRates(spec: Omit<MlpSpec, "rates">): MlpSpec["rates"] {
  const fanIn = [spec.inputs, ...Array(spec.depth).fill(spec.width)];
  return { weights: fanIn.map((f) => spec.sigma_w2 / f), biases: spec.sigma_b2 };
}

/**
 * The initial weights B = Wᵀ (fan-in × fan-out, unpadded) and biases of every layer, drawn
 * in one order from `rng`: the WebAssembly and the WebGPU nets (webgpu/mlp.ts) start from
 * the same numbers for the same seed.
 */
export function initialLayers(
  spec: MlpSpec,
  rng: Rng,
): { nIn: number; nOut: number; w: Float32Array; b: Float32Array }[] {
  const real = [spec.inputs, ...Array(spec.depth).fill(spec.width), spec.outputs];
  const layers = [];
  for (let l = 0; l + 1 < real.length; l++) {
    const nIn = real[l], nOut = real[l + 1];
    const w = new Float32Array(nIn * nOut);
    if (spec.orthogonalGain !== undefined) {
      // W (fan-out × fan-in) = g·Q, stored as B = Wᵀ
      const q = randomOrthogonal(nOut, nIn, rng);
      for (let i = 0; i < nIn; i++) {
        for (let j = 0; j < nOut; j++) w[i * nOut + j] = spec.orthogonalGain * q[j * nIn + i];
      }
    } else {
      const std = Math.sqrt(spec.sigma_w2 / nIn);
      const col = new Float32Array(nOut);
      for (let i = 0; i < nIn; i++) {
        rng.fillNormal(col, std);
        w.set(col, i * nOut);
      }
    }
    const b = new Float32Array(nOut);
    if (spec.sigma_b2 > 0) rng.fillNormal(b, Math.sqrt(spec.sigma_b2));
    layers.push({ nIn, nOut, w, b });
  }
  return layers;
}

interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** B = Wᵀ, nIn × nOut, as a view and as a byte pointer */
  readonly w: Float32Array;
  readonly wPtr: number;
  readonly b: Float32Array;
  /** the pre-activations of the batch, and after φ (hidden layers) or as outputs (the last) */
  readonly pre: Float32Array;
  readonly out: Float32Array;
  readonly outPtr: number;
}

const SQRT_PI = Math.sqrt(Math.PI);

export class SimdMlp {
  readonly #k: Kernels;
  readonly #layers: Layer[];
  readonly #x: Float32Array;
  readonly #xPtr: number;
  /** gradients with respect to a layer's output, two buffers used in turn */
  readonly #grad: [Float32Array, Float32Array];
  readonly #gradPtr: [number, number];
  readonly #batch: number;
  readonly #outputs: number;
  readonly #act: MlpActivation;
  readonly #loss: MlpLoss;
  readonly #rates: { readonly weights: readonly number[]; readonly biases: number };

  private constructor(k: Kernels, spec: MlpSpec, rng: Rng) {
    this.#k = k;
    this.#batch = spec.batch;
    this.#outputs = spec.outputs;
    this.#act = spec.activation ?? "tanh";
    this.#loss = spec.loss ?? "cross-entropy";
    this.#rates = spec.rates ?? { weights: Array(spec.depth + 1).fill(1), biases: 1 };
    const real = [spec.inputs, ...Array(spec.depth).fill(spec.width), spec.outputs];
    const widths = real.map(pad4);
    let at = 0;
    const take = (n: number): [Float32Array, number] => {
      const ptr = at;
      at += n * 4;
      return [new Float32Array(k.memory.buffer, ptr, n), ptr];
    };
    const widest = Math.max(...widths);
    const initial = initialLayers(spec, rng);
    [this.#x, this.#xPtr] = take(spec.batch * widths[0]);
    const g0 = take(spec.batch * widest), g1 = take(spec.batch * widest);
    this.#grad = [g0[0], g1[0]];
    this.#gradPtr = [g0[1], g1[1]];
    this.#layers = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const nIn = widths[l], nOut = widths[l + 1];
      const [w, wPtr] = take(nIn * nOut);
      const [out, outPtr] = take(spec.batch * nOut);
      const init = initial[l];
      for (let i = 0; i < real[l]; i++) {
        w.set(init.w.subarray(i * real[l + 1], (i + 1) * real[l + 1]), i * nOut);
      }
      const b = new Float32Array(nOut);
      b.set(init.b);
      this.#layers.push({
        nIn,
        nOut,
        w,
        wPtr,
        b,
        pre: new Float32Array(spec.batch * nOut),
        out,
        outPtr,
      });
    }
  }

  /** Kernel memory for the net of `spec`, in bytes. */
  static bytes(spec: MlpSpec): number {
    const h = pad4(spec.width), i = pad4(spec.inputs), c = pad4(spec.outputs);
    const widest = Math.max(h, i, c);
    const weights = i * h + (spec.depth - 1) * h * h + h * c;
    return 4 * (spec.batch * (i + 2 * widest + spec.depth * h + c) + weights);
  }

  static async create(spec: MlpSpec, rng: Rng): Promise<SimdMlp> {
    if (spec.batch % 2 !== 0) throw new RangeError(`batch must be even, not ${spec.batch}`);
    return new SimdMlp(await instantiateKernels(SimdMlp.bytes(spec)), spec, rng);
  }

  /** A copy of every layer's B = Wᵀ (padded, nIn × nOut) and bias (for tests and checks). */
  parameters(): { nIn: number; nOut: number; w: Float32Array; b: Float32Array }[] {
    return this.#layers.map((L) => ({ nIn: L.nIn, nOut: L.nOut, w: L.w.slice(), b: L.b.slice() }));
  }

  /** Load `rows` (≤ batch) inputs; the rest of the batch is zero. */
  #load(x: readonly Float32Array[]) {
    const n = this.#layers[0].nIn;
    this.#x.fill(0);
    x.forEach((r, k) => this.#x.set(r, k * n));
  }

  #phi(z: number): number {
    switch (this.#act) {
      case "tanh":
        return tanh32(z);
      case "relu":
        return z > 0 ? z : 0;
      case "erf":
        return erf(z);
      case "linear":
        return z;
    }
  }

  /** φ'(z), given z and a = φ(z) (tanh needs only a). */
  #dphi(z: number, a: number): number {
    switch (this.#act) {
      case "tanh":
        return 1 - a * a;
      case "relu":
        return z > 0 ? 1 : 0;
      case "erf":
        return (2 / SQRT_PI) * Math.exp(-z * z);
      case "linear":
        return 1;
    }
  }

  /** Forward through every layer; the outputs are left in the last layer's `out`. */
  #forward(rows: number) {
    let a = this.#xPtr;
    for (let l = 0; l < this.#layers.length; l++) {
      const L = this.#layers[l];
      this.#k.rowmat(a, rows, L.wPtr, L.nIn, L.nOut, L.outPtr);
      const hidden = l + 1 < this.#layers.length;
      for (let r = 0; r < rows; r++) {
        const o = r * L.nOut;
        for (let j = 0; j < L.nOut; j++) {
          const z = L.out[o + j] + L.b[j];
          L.pre[o + j] = z;
          L.out[o + j] = hidden ? this.#phi(z) : z;
        }
      }
      a = L.outPtr;
    }
  }

  /** The outputs for up to `batch` inputs (rows × outputs, padded rows dropped). */
  outputs(x: readonly Float32Array[]): Float32Array[] {
    const last = this.#layers[this.#layers.length - 1];
    const out: Float32Array[] = [];
    for (let s = 0; s < x.length; s += this.#batch) {
      const rows = Math.min(this.#batch, x.length - s);
      this.#load(x.slice(s, s + rows));
      this.#forward(rows);
      for (let r = 0; r < rows; r++) {
        out.push(last.out.slice(r * last.nOut, r * last.nOut + this.#outputs));
      }
    }
    return out;
  }

  /**
   * One gradient step on a batch (exactly `batch` rows) at rate lr; returns the batch's loss:
   * mean cross-entropy against labels `y`, or (1/2m) Σ |f − t|² against target rows `t`
   * (NaN or ∞ once the net has diverged).
   */
  step(
    x: readonly Float32Array[],
    y: readonly number[] | readonly Float32Array[],
    lr: number,
  ): number {
    const m = this.#batch;
    this.#load(x);
    this.#forward(m);
    const last = this.#layers[this.#layers.length - 1];
    let cur = 0;
    const g = this.#grad[cur];
    g.fill(0);
    let loss = 0;
    const k = this.#outputs;
    for (let r = 0; r < m; r++) {
      const o = r * last.nOut;
      if (this.#loss === "squared") {
        const t = y[r] as Float32Array;
        for (let j = 0; j < k; j++) {
          const e = last.out[o + j] - t[j];
          loss += (e * e) / 2;
          g[o + j] = e / m;
        }
        continue;
      }
      const label = y[r] as number;
      let max = -Infinity;
      for (let j = 0; j < k; j++) max = Math.max(max, last.out[o + j]);
      let sum = 0;
      for (let j = 0; j < k; j++) sum += Math.exp(last.out[o + j] - max);
      loss += Math.log(sum) + max - last.out[o + label];
      for (let j = 0; j < k; j++) {
        g[o + j] = (Math.exp(last.out[o + j] - max) / sum - (j === label ? 1 : 0)) / m;
      }
    }
    // back through the layers: the current buffer holds dLoss/dZ_l (pre-activation) for layer l
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const L = this.#layers[l];
      const gz = this.#grad[cur];
      const lb = lr * this.#rates.biases;
      for (let j = 0; j < L.nOut; j++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += gz[r * L.nOut + j];
        L.b[j] -= lb * s;
      }
      const aPtr = l === 0 ? this.#xPtr : this.#layers[l - 1].outPtr;
      const lw = lr * this.#rates.weights[l];
      this.#k.update(
        L.wPtr,
        L.nIn,
        L.nOut,
        aPtr,
        m,
        this.#gradPtr[cur],
        this.#gradPtr[1 - cur],
        -lw,
      );
      cur = 1 - cur;
      if (l > 0) {
        // dZ_{l−1} = dA_{l−1} ⊙ φ'(Z_{l−1})
        const prev = this.#layers[l - 1];
        const gn = this.#grad[cur];
        for (let i = 0; i < m * prev.nOut; i++) gn[i] *= this.#dphi(prev.pre[i], prev.out[i]);
      }
    }
    return loss / m;
  }

  /** Accuracy and mean cross-entropy on a labelled set, in chunks of `batch`. */
  evaluate(x: readonly Float32Array[], y: readonly number[]): { accuracy: number; loss: number } {
    return score(this.outputs(x), y);
  }
}

/** Accuracy and mean cross-entropy of output rows against labels (every trainer's score). */
export function score(
  outputs: readonly Float32Array[],
  y: readonly number[],
): { accuracy: number; loss: number } {
  let right = 0, loss = 0;
  outputs.forEach((o, i) => {
    let best = 0, max = -Infinity;
    for (let j = 0; j < o.length; j++) if (o[j] > max) [max, best] = [o[j], j];
    let sum = 0;
    for (let j = 0; j < o.length; j++) sum += Math.exp(o[j] - max);
    loss += Math.log(sum) + max - o[y[i]];
    if (best === y[i]) right++;
  });
  return { accuracy: right / outputs.length, loss: loss / outputs.length };
}
