/**
 * The reverse model of model.ts, batched in float32 on the project's WebAssembly SIMD
 * product (compute/simd_kernels.ts `rowmat`): every example of a batch at once, each at its
 * own t, layer by layer as matrix products — the pipeline's trainer and evaluator. It reads
 * the float64 model's flat θ and writes gradients in the same layout, so the float64
 * `ReverseModel` stays the reference it is tested against (tests/diffusion_simd_test.ts).
 *
 * Only the trunk and the readout run in float32; the loss head (the KL and its derivative
 * in the readout) is the float64 model's own `head`, so the two cannot drift apart.
 *
 * Why not tfjs: on 200 × 64 tensors its wasm backend pays ≈ 0.1–1 ms an op (a transposed
 * matMul against a changing weight repacks it, tanh runs scalar), ≈ 300 ops a step: 28 ms
 * a step for 8 × 64, against ≈ 20 ms for the float64 loops and ≈ 3 ms here
 * (docs/benchmarks.md). Bias and tanh, and tanh's derivative, are f32x4 kernels too (they took
 * a quarter of a step as TypeScript); the transposes and the readout's mix over the temporal
 * basis are plain TypeScript.
 *
 * Layout: row-major float32, every row padded to a multiple of 4 with zeros (pads of W,
 * R and the biases are zero, so pad units stay 0 and get zero gradient).
 *
 * @module
 */
import { instantiateKernels, type Kernels } from "../compute/simd_kernels.ts";
import type { Prior } from "./gaussian_base.ts";
import type { Batch, ModelSpec, ReverseKernel, ReverseModel } from "./model.ts";

/** Rows per pass through the kernels: evaluation batches (1,000 held-out points) go in chunks. */
const CHUNK = 256;

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

/** dst (cols × rows, row stride `rowsP`) = srcᵀ, src rows × cols with stride `stride`; pads 0. */
function transpose(
  src: Float32Array,
  rows: number,
  stride: number,
  dst: Float32Array,
  rowsP: number,
  cols: number,
) {
  for (let j = 0; j < cols; j++) {
    const o = j * rowsP;
    for (let i = 0; i < rows; i++) dst[o + i] = src[i * stride + j];
    for (let i = rows; i < rowsP; i++) dst[o + i] = 0;
  }
}

interface Layer {
  /** fan-in and fan-out, padded */
  readonly nIn: number;
  readonly nOut: number;
  /** real fan-out */
  readonly out: number;
  readonly w: Float32Array;
  readonly wT: Float32Array;
  readonly dW: Float32Array;
  readonly b: Float32Array;
  /** activations after this layer, CHUNK × nOut */
  readonly act: Float32Array;
}

export class SimdReverseModel implements ReverseKernel {
  readonly spec: ModelSpec;
  readonly beta: Float64Array;
  readonly ab: Float64Array;
  readonly prior: Prior | null;
  readonly #ref: ReverseModel;
  readonly #k: Kernels;
  readonly #input: Float32Array;
  readonly #layers: Layer[];
  /** readout R (bo × h), its transpose, its gradient; bias c (bo) */
  readonly #r: Float32Array;
  readonly #rT: Float32Array;
  readonly #dR: Float32Array;
  readonly #c: Float32Array;
  /** all basis readouts of a chunk (CHUNK × bo), their gradient and its transpose */
  readonly #all: Float32Array;
  readonly #dAll: Float32Array;
  readonly #dAllT: Float32Array;
  readonly #dH: Float32Array;
  readonly #dZ: Float32Array;
  readonly #dZT: Float32Array;
  readonly #bo: number;
  /** the readout of each row of a chunk, and d KL / d readout, float64 */
  readonly #out: Float64Array;
  readonly #dOut: Float64Array;

  private constructor(ref: ReverseModel, k: Kernels) {
    this.#ref = ref;
    this.#k = k;
    this.spec = ref.spec;
    this.beta = ref.beta;
    this.ab = ref.ab;
    this.prior = ref.base?.prior ?? null;
    const { layers } = ref.layout;
    const bo = pad4(this.spec.basis * ref.outputs);
    this.#bo = bo;
    const widths = [pad4(this.spec.d), ...layers.map((l) => pad4(l.rows))];
    const h = widths[widths.length - 1];
    const widest = Math.max(...widths, bo);
    // carve the kernels' memory, in float32 elements
    let at = 0;
    const take = (n: number) => {
      const v = new Float32Array(k.memory.buffer, at * 4, n);
      at += n;
      return v;
    };
    this.#input = take(CHUNK * widths[0]);
    this.#layers = layers.map((l, i) => {
      const nIn = widths[i], nOut = widths[i + 1];
      return {
        nIn,
        nOut,
        out: l.rows,
        w: take(nOut * nIn),
        wT: take(nIn * nOut),
        dW: take(nOut * nIn),
        b: take(nOut),
        act: take(CHUNK * nOut),
      };
    });
    this.#r = take(bo * h);
    this.#rT = take(h * bo);
    this.#dR = take(bo * h);
    this.#c = new Float32Array(bo);
    this.#all = take(CHUNK * bo);
    this.#dAll = take(CHUNK * bo);
    this.#dAllT = take(bo * CHUNK);
    this.#dH = take(CHUNK * widest);
    this.#dZ = take(CHUNK * widest);
    this.#dZT = take(widest * CHUNK);
    this.#out = new Float64Array(CHUNK * ref.outputs);
    this.#dOut = new Float64Array(CHUNK * ref.outputs);
  }

  /** The bytes of kernel memory a model of this shape needs. */
  static bytes(ref: ReverseModel): number {
    const widths = [pad4(ref.spec.d), ...ref.spec.hidden.map(pad4)];
    const h = widths[widths.length - 1];
    const bo = pad4(ref.spec.basis * ref.outputs);
    const widest = Math.max(...widths, bo);
    let n = CHUNK * widths[0];
    for (let l = 1; l < widths.length; l++) {
      n += 3 * widths[l] * widths[l - 1] + CHUNK * widths[l] + widths[l];
    }
    n += 3 * bo * h + 3 * CHUNK * bo + 3 * CHUNK * widest;
    return 4 * n;
  }

  /** A float32 twin of `ref` at θ. */
  static async create(ref: ReverseModel, theta: Float64Array): Promise<SimdReverseModel> {
    const model = new SimdReverseModel(ref, await instantiateKernels(SimdReverseModel.bytes(ref)));
    model.load(theta);
    return model;
  }

  /** Takes θ (the float64 model's layout) as the model's weights, rounded to float32. */
  load(theta: Float64Array): void {
    const { layers, readout, readoutBias, width } = this.#ref.layout;
    layers.forEach((spec, l) => {
      const { w, wT, b, nIn, nOut } = this.#layers[l];
      for (let i = 0; i < spec.rows; i++) {
        for (let j = 0; j < spec.cols; j++) w[i * nIn + j] = theta[spec.w + i * spec.cols + j];
        b[i] = theta[spec.b + i];
      }
      transpose(w, nOut, nIn, wT, nOut, nIn);
    });
    const rows = this.spec.basis * this.#ref.outputs;
    const h = this.#layers[this.#layers.length - 1].nOut;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < width; j++) this.#r[i * h + j] = theta[readout + i * width + j];
      this.#c[i] = theta[readoutBias + i];
    }
    transpose(this.#r, this.#bo, h, this.#rT, this.#bo, h);
  }

  /**
   * Rows `from`…`from + rows` of xt through the trunk and the readout at each row's t (or
   * one t for all): `#out` holds the readouts, `#all` and the activations what backward needs.
   */
  #forward(xt: Float64Array, from: number, rows: number, t: Int32Array | number): void {
    const { d } = this.spec;
    const O = this.#ref.outputs;
    const rowsP = pad4(rows);
    const k = this.#k;
    const ptr = (v: Float32Array) => v.byteOffset;
    const nIn0 = this.#layers[0].nIn;
    this.#input.fill(0, 0, rowsP * nIn0);
    for (let e = 0; e < rows; e++) {
      for (let i = 0; i < d; i++) this.#input[e * nIn0 + i] = xt[(from + e) * d + i];
    }
    let prev = this.#input;
    for (const layer of this.#layers) {
      const { act, b, nIn, nOut } = layer;
      k.rowmat(ptr(prev), rowsP, ptr(layer.wT), nIn, nOut, ptr(act));
      k.bias_tanh(ptr(act), rowsP, nOut, ptr(b));
      prev = act;
    }
    const h = this.#layers[this.#layers.length - 1].nOut;
    k.rowmat(ptr(prev), rowsP, ptr(this.#rT), h, this.#bo, ptr(this.#all));
    for (let e = 0; e < rows; e++) {
      const te = typeof t === "number" ? t : t[from + e];
      this.#ref.mixReadout(this.#all, e * this.#bo, this.#c, te, this.#out, e * O);
    }
  }

  /** Adds scale × d(Σ_e readout_e · dOut_e)/dθ of the last forward chunk to grad. */
  #backward(
    rows: number,
    batchT: Int32Array,
    from: number,
    scale: number,
    grad: Float64Array,
  ): void {
    const { basis } = this.spec;
    const O = this.#ref.outputs;
    const bo = this.#bo;
    const rowsP = pad4(rows);
    const k = this.#k;
    const ptr = (v: Float32Array) => v.byteOffset;
    const { layers, readout, width } = this.#ref.layout;
    const dAll = this.#dAll;
    dAll.fill(0, 0, rowsP * bo);
    for (let e = 0; e < rows; e++) {
      this.#ref.spreadReadout(this.#dOut, e * O, batchT[from + e], scale, dAll, e * bo, grad);
    }
    const last = this.#layers[this.#layers.length - 1];
    const h = last.nOut;
    // dR = dAllᵀ · h_L; dh_L = dAll · R
    transpose(dAll, rowsP, bo, this.#dAllT, rowsP, bo);
    k.rowmat(ptr(this.#dAllT), bo, ptr(last.act), rowsP, h, ptr(this.#dR));
    for (let i = 0; i < basis * O; i++) {
      for (let j = 0; j < width; j++) grad[readout + i * width + j] += this.#dR[i * h + j];
    }
    k.rowmat(ptr(dAll), rowsP, ptr(this.#r), bo, h, ptr(this.#dH));
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const { act, nIn, nOut, out } = this.#layers[l];
      const spec = layers[l];
      const dZ = this.#dZ;
      k.tanh_grad(ptr(dZ), ptr(this.#dH), ptr(act), rows, rowsP, nOut);
      for (let j = 0; j < out; j++) {
        let s = 0;
        for (let e = 0; e < rows; e++) s += dZ[e * nOut + j];
        grad[spec.b + j] += s;
      }
      // dW = dZᵀ · a_{l−1}; dh_{l−1} = dZ · W
      const prev = l === 0 ? this.#input : this.#layers[l - 1].act;
      transpose(dZ, rowsP, nOut, this.#dZT, rowsP, nOut);
      k.rowmat(ptr(this.#dZT), nOut, ptr(prev), rowsP, nIn, ptr(this.#layers[l].dW));
      const dW = this.#layers[l].dW;
      for (let i = 0; i < spec.rows; i++) {
        for (let j = 0; j < spec.cols; j++) grad[spec.w + i * spec.cols + j] += dW[i * nIn + j];
      }
      if (l > 0) k.rowmat(ptr(dZ), rowsP, ptr(this.#layers[l].w), nOut, nIn, ptr(this.#dH));
    }
  }

  /** Per-example KL of the batch; with `grad`, adds d(mean KL)/dθ to it (as ReverseModel.kl). */
  #klChunks(batch: Batch, grad?: Float64Array): Float64Array {
    const count = batch.t.length;
    const kl = new Float64Array(count);
    for (let from = 0; from < count; from += CHUNK) {
      this.klRows(batch, from, Math.min(CHUNK, count - from), kl, grad, 1 / count);
    }
    return kl;
  }

  /**
   * Rows from…from + rows (at most 256) of the batch: their KL into kl[from…]; with `grad`,
   * adds scale × d(their summed KL)/dθ to it. A data-parallel step (shards.ts) runs one
   * shard of rows per call, on this model or on a replica in another thread.
   */
  klRows(
    batch: Batch,
    from: number,
    rows: number,
    kl: Float64Array,
    grad: Float64Array | undefined,
    scale: number,
  ): void {
    if (rows > CHUNK) throw new RangeError(`at most ${CHUNK} rows a call, got ${rows}`);
    const O = this.#ref.outputs;
    this.#forward(batch.xt, from, rows, batch.t);
    for (let e = 0; e < rows; e++) {
      kl[from + e] = this.#ref.head(this.#out, e * O, batch, from + e, this.#dOut, e * O);
    }
    if (grad) this.#backward(rows, batch.t, from, scale, grad);
  }

  kl(batch: Batch): Float64Array {
    return this.#klChunks(batch);
  }

  /** The batch's mean KL; adds its gradient (the float64 model's layout) to grad. */
  lossAndGrad(batch: Batch, grad: Float64Array): number {
    return this.#klChunks(batch, grad).reduce((a, b) => a + b, 0) / batch.t.length;
  }

  reverseAll(xt: Float64Array, t: number): { mean: Float64Array; variance: Float64Array } {
    const count = xt.length / this.spec.d;
    const mean = new Float64Array(xt.length);
    const variance = new Float64Array(xt.length);
    for (let from = 0; from < count; from += CHUNK) {
      this.reverseRows(xt, from, Math.min(CHUNK, count - from), t, mean, variance);
    }
    return { mean, variance };
  }

  /**
   * reverseAll for rows from…from + rows (at most 256) of xt, into the same rows of mean and
   * variance (a parallel chain step, shards.ts, runs one block of rows per call).
   */
  reverseRows(
    xt: Float64Array,
    from: number,
    rows: number,
    t: number,
    mean: Float64Array,
    variance: Float64Array,
  ): void {
    if (rows > CHUNK) throw new RangeError(`at most ${CHUNK} rows a call, got ${rows}`);
    const { d } = this.spec;
    const O = this.#ref.outputs;
    this.#forward(xt, from, rows, t);
    for (let e = 0; e < rows; e++) {
      const r = this.#ref.params(this.#out, e * O, xt, (from + e) * d, t);
      mean.set(r.mean, (from + e) * d);
      variance.set(r.variance, (from + e) * d);
    }
  }
}
