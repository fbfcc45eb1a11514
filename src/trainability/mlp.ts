/**
 * A deep tanh classifier trained by plain SGD on the project's WebAssembly SIMD kernels
 * (src/compute/simd_kernels.ts): the cells of Schoenholz et al.'s trainability map. Every
 * layer of a minibatch is one `rowmat` product forward and one fused `update` backward
 * (dA_{l−1} = dZ_l B_lᵀ with the old weights, then B_l −= η A_{l−1}ᵀ dZ_l), so a step
 * allocates nothing. tfjs-wasm would pay ≈ 0.1 ms an op on these 32 × 100 tensors, ≈ 10 ops a
 * layer each way: ≈ 100 ms a step at depth 50, against ≈ 10 ms here (docs/benchmarks.md).
 *
 * Network (THEORY.md §1): h¹ = W¹x + b¹, h^l = W^l tanh(h^{l−1}) + b^l for l ≤ L, logits
 * W^{out} tanh(h^L) + b^{out}; every W_ij ~ N(0, σw²/fan-in), b_i ~ N(0, σb²). Loss: mean
 * softmax cross-entropy over the batch.
 *
 * Layout: B_l = W_lᵀ stored fan-in × fan-out, row-major float32, every width padded to a
 * multiple of 4 with zero weights and biases (pad units stay 0 and get zero gradient).
 *
 * @module
 */
import { instantiateKernels, type Kernels } from "../compute/simd_kernels.ts";
import { tanh32 } from "../compute/tanh32.ts";
import type { Rng } from "../random/rng.ts";

const pad4 = (n: number) => Math.ceil(n / 4) * 4;
const CLASSES = 10;

export interface MlpSpec {
  readonly inputs: number;
  readonly width: number;
  readonly depth: number;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  /** rows per step and per evaluation chunk; even (the fused kernel takes rows in pairs) */
  readonly batch: number;
}

interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  /** B = Wᵀ, nIn × nOut, as a view and as a byte pointer */
  readonly w: Float32Array;
  readonly wPtr: number;
  readonly b: Float32Array;
  /** this layer's output for the batch (tanh applied for hidden layers, logits for the last) */
  readonly out: Float32Array;
  readonly outPtr: number;
}

export class TanhMlp {
  readonly #k: Kernels;
  readonly #layers: Layer[];
  readonly #x: Float32Array;
  readonly #xPtr: number;
  /** gradients with respect to a layer's output, two buffers used in turn */
  readonly #grad: [Float32Array, Float32Array];
  readonly #gradPtr: [number, number];
  readonly #batch: number;

  private constructor(k: Kernels, spec: MlpSpec, rng: Rng) {
    this.#k = k;
    this.#batch = spec.batch;
    const widths = [
      pad4(spec.inputs),
      ...Array.from({ length: spec.depth }, () => pad4(spec.width)),
      pad4(CLASSES),
    ];
    const real = [spec.inputs, ...Array.from({ length: spec.depth }, () => spec.width), CLASSES];
    let at = 0;
    const take = (n: number): [Float32Array, number] => {
      const ptr = at;
      at += n * 4;
      return [new Float32Array(k.memory.buffer, ptr, n), ptr];
    };
    const widest = Math.max(...widths);
    [this.#x, this.#xPtr] = take(spec.batch * widths[0]);
    const g0 = take(spec.batch * widest), g1 = take(spec.batch * widest);
    this.#grad = [g0[0], g1[0]];
    this.#gradPtr = [g0[1], g1[1]];
    this.#layers = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const nIn = widths[l], nOut = widths[l + 1];
      const [w, wPtr] = take(nIn * nOut);
      const [out, outPtr] = take(spec.batch * nOut);
      const std = Math.sqrt(spec.sigma_w2 / real[l]);
      const col = new Float32Array(real[l + 1]);
      for (let i = 0; i < real[l]; i++) {
        rng.fillNormal(col, std);
        w.set(col, i * nOut);
      }
      const b = new Float32Array(nOut);
      const bias = new Float32Array(real[l + 1]);
      if (spec.sigma_b2 > 0) rng.fillNormal(bias, Math.sqrt(spec.sigma_b2));
      b.set(bias);
      this.#layers.push({ nIn, nOut, w, wPtr, b, out, outPtr });
    }
  }

  /** Kernel memory for the net of `spec`, in bytes. */
  static bytes(spec: MlpSpec): number {
    const h = pad4(spec.width), i = pad4(spec.inputs), c = pad4(CLASSES);
    const widest = Math.max(h, i, c);
    const weights = i * h + (spec.depth - 1) * h * h + h * c;
    return 4 * (spec.batch * (i + 2 * widest + spec.depth * h + c) + weights);
  }

  static async create(spec: MlpSpec, rng: Rng): Promise<TanhMlp> {
    if (spec.batch % 2 !== 0) throw new RangeError(`batch must be even, not ${spec.batch}`);
    return new TanhMlp(await instantiateKernels(TanhMlp.bytes(spec)), spec, rng);
  }

  /** A copy of every layer's B = Wᵀ (padded, nIn × nOut) and bias (for tests and checks). */
  parameters(): { nIn: number; nOut: number; w: Float32Array; b: Float32Array }[] {
    return this.#layers.map((L) => ({ nIn: L.nIn, nOut: L.nOut, w: L.w.slice(), b: L.b.slice() }));
  }

  /** Load `rows` (≤ batch) inputs of `inputs` floats; the rest of the batch is zero. */
  #load(x: readonly Float32Array[]) {
    const n = this.#layers[0].nIn;
    this.#x.fill(0);
    x.forEach((r, k) => this.#x.set(r, k * n));
  }

  /** Forward through every layer; the logits are left in the last layer's `out`. */
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
          L.out[o + j] = hidden ? tanh32(z) : z;
        }
      }
      a = L.outPtr;
    }
  }

  /**
   * One SGD step on a batch (exactly `batch` rows); returns the batch's mean cross-entropy
   * (NaN or ∞ once the net has diverged).
   */
  step(x: readonly Float32Array[], y: readonly number[], lr: number): number {
    const m = this.#batch;
    this.#load(x);
    this.#forward(m);
    const last = this.#layers[this.#layers.length - 1];
    let cur = 0;
    const g = this.#grad[cur];
    g.fill(0);
    let loss = 0;
    for (let r = 0; r < m; r++) {
      const o = r * last.nOut;
      let max = -Infinity;
      for (let j = 0; j < CLASSES; j++) max = Math.max(max, last.out[o + j]);
      let sum = 0;
      for (let j = 0; j < CLASSES; j++) sum += Math.exp(last.out[o + j] - max);
      loss += Math.log(sum) + max - last.out[o + y[r]];
      for (let j = 0; j < CLASSES; j++) {
        g[o + j] = (Math.exp(last.out[o + j] - max) / sum - (j === y[r] ? 1 : 0)) / m;
      }
    }
    // back through the layers: g holds dLoss/dZ_l (pre-activation) for layer l
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const L = this.#layers[l];
      const gz = this.#grad[cur];
      for (let j = 0; j < L.nOut; j++) {
        let s = 0;
        for (let r = 0; r < m; r++) s += gz[r * L.nOut + j];
        L.b[j] -= lr * s;
      }
      // pad units have zero weight rows and columns: their bias must stay 0 as well
      const aPtr = l === 0 ? this.#xPtr : this.#layers[l - 1].outPtr;
      this.#k.update(
        L.wPtr,
        L.nIn,
        L.nOut,
        aPtr,
        m,
        this.#gradPtr[cur],
        this.#gradPtr[1 - cur],
        -lr,
      );
      cur = 1 - cur;
      if (l > 0) {
        // dZ_{l−1} = dA_{l−1} ⊙ (1 − A_{l−1}²)
        const prev = this.#layers[l - 1];
        const gn = this.#grad[cur];
        for (let i = 0; i < m * prev.nIn; i++) {
          // (prev.nOut === L.nIn)
          const a = prev.out[i];
          gn[i] *= 1 - a * a;
        }
      }
    }
    return loss / m;
  }

  /** Accuracy and mean cross-entropy on a labelled set, in chunks of `batch`. */
  evaluate(x: readonly Float32Array[], y: readonly number[]): { accuracy: number; loss: number } {
    const last = this.#layers[this.#layers.length - 1];
    let right = 0, loss = 0;
    for (let s = 0; s < x.length; s += this.#batch) {
      const rows = Math.min(this.#batch, x.length - s);
      this.#load(x.slice(s, s + rows));
      this.#forward(rows);
      for (let r = 0; r < rows; r++) {
        const o = r * last.nOut;
        let best = 0, max = -Infinity;
        for (let j = 0; j < CLASSES; j++) {
          if (last.out[o + j] > max) [max, best] = [last.out[o + j], j];
        }
        let sum = 0;
        for (let j = 0; j < CLASSES; j++) sum += Math.exp(last.out[o + j] - max);
        loss += Math.log(sum) + max - last.out[o + y[s + r]];
        if (best === y[s + r]) right++;
      }
    }
    return { accuracy: right / x.length, loss: loss / x.length };
  }
}
