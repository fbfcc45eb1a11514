/**
 * The reverse model of model.ts on WebGPU (issue #31): the same batched float32 computation
 * as simd_model.ts — the tanh trunk and the readout as matrix products, every row of a batch
 * at its own t — with the products as the GEMM of src/compute/webgpu/gemm.ts and the bias,
 * tanh and tanh′ as its elementwise kernels. θ stays float64 on the host (Adam and the
 * float64 model own it); `load` rounds it to float32 on the GPU once a step.
 *
 * What stays on the host, and why: the readout's mix over the temporal basis and the loss
 * head (the KL and its derivative) are the float64 model's own (`ReverseModel.head`, as on
 * wasm), so the two backends differ only in the products' float32 sums. A training chunk is
 * two round trips: the readouts come back for the head, d KL/d readout goes up, and the
 * gradients come back in one read. On a GPU that is latency (≈ 0.1 ms a trip), not work.
 *
 * The reverse chain's sampling (`reverseAll`, the samples and step-entropy streams) runs on
 * the wasm twin (simd_model.ts) at the same θ: it is called synchronously, one t at a time,
 * inside the sampling loop. The run's `done` row names both (webgpu dispatches, one wasm net).
 *
 * @module
 */
import type { Encode, Gpu } from "../compute/webgpu/device.ts";
import { type GemmShape, gemmStep } from "../compute/webgpu/gemm.ts";
import {
  ACT_GRAD_WGSL,
  activationCode,
  BIAS_ACT_WGSL,
  grid,
  words,
} from "../compute/webgpu/elementwise.ts";
import type { Prior } from "./gaussian_base.ts";
import type { Batch, ModelSpec, ReverseModel } from "./model.ts";
import { SimdReverseModel } from "./simd_model.ts";

/** Rows a pass holds at most: a held-out set of 1,000 at one t is one pass. */
export const GPU_CHUNK = 1024;

interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly w: GPUBuffer;
  readonly b: GPUBuffer;
  readonly pre: GPUBuffer;
  readonly act: GPUBuffer;
  readonly dW: GPUBuffer;
  readonly db: GPUBuffer;
}

/** The dispatches of a pass of `rows` rows, built once per row count (uniforms differ). */
interface Passes {
  readonly forward: Encode[];
  readonly backward: Encode[];
}

export class GpuReverseModel {
  readonly spec: ModelSpec;
  readonly beta: Float64Array;
  readonly ab: Float64Array;
  readonly prior: Prior | null;
  readonly #ref: ReverseModel;
  readonly #gpu: Gpu;
  readonly #twin: SimdReverseModel;
  /** θ is updated in place by the optimiser: versions tell the twin when to reload */
  #version = 0;
  #twinVersion = -1;
  #theta: Float64Array;
  readonly #layers: Layer[];
  readonly #x: GPUBuffer;
  readonly #r: GPUBuffer;
  readonly #all: GPUBuffer;
  readonly #dAll: GPUBuffer;
  readonly #dR: GPUBuffer;
  /** the backward pass's dH/dZ, ping-ponged layer to layer */
  readonly #dH: [GPUBuffer, GPUBuffer];
  readonly #ones: GPUBuffer;
  readonly #one: GPUBuffer;
  readonly #owned: GPUBuffer[] = [];
  readonly #passes = new Map<number, Passes>();
  /** the readout's bias, kept on the host with the basis mix */
  readonly #c: Float64Array;
  readonly #bo: number;
  readonly #out: Float64Array;
  readonly #dOut: Float64Array;
  readonly #dAllHost: Float32Array<ArrayBuffer>;
  readonly #xHost: Float32Array<ArrayBuffer>;

  private constructor(ref: ReverseModel, gpu: Gpu, twin: SimdReverseModel, theta: Float64Array) {
    this.#ref = ref;
    this.#gpu = gpu;
    this.#twin = twin;
    this.#theta = theta;
    this.spec = ref.spec;
    this.beta = ref.beta;
    this.ab = ref.ab;
    this.prior = ref.base?.prior ?? null;
    const O = ref.outputs;
    const bo = this.spec.basis * O;
    this.#bo = bo;
    const { layers, width } = ref.layout;
    const widest = Math.max(this.spec.d, ...layers.map((l) => l.rows));
    const buf = (floats: number, data?: Float32Array<ArrayBuffer>) => {
      const b = gpu.storage(floats, data);
      this.#owned.push(b);
      return b;
    };
    const C = GPU_CHUNK;
    this.#x = buf(C * this.spec.d);
    this.#layers = layers.map((l) => ({
      nIn: l.cols,
      nOut: l.rows,
      w: buf(l.rows * l.cols),
      b: buf(l.rows),
      pre: buf(C * l.rows),
      act: buf(C * l.rows),
      dW: buf(l.rows * l.cols),
      db: buf(l.rows),
    }));
    this.#r = buf(bo * width);
    this.#all = buf(C * bo);
    this.#dAll = buf(C * bo);
    this.#dR = buf(bo * width);
    this.#dH = [buf(C * widest), buf(C * widest)];
    this.#ones = buf(C, new Float32Array(C).fill(1));
    this.#one = buf(1, new Float32Array([1]));
    this.#c = new Float64Array(bo);
    this.#out = new Float64Array(C * O);
    this.#dOut = new Float64Array(C * O);
    this.#dAllHost = new Float32Array(C * bo);
    this.#xHost = new Float32Array(C * this.spec.d);
    this.load(theta);
  }

  /** The model at θ (the float64 model's layout) on `gpu`, with its wasm twin for sampling. */
  static async create(ref: ReverseModel, theta: Float64Array, gpu: Gpu): Promise<GpuReverseModel> {
    return new GpuReverseModel(ref, gpu, await SimdReverseModel.create(ref, theta), theta);
  }

  /** Takes θ as the weights, rounded to float32 (θ is kept: load again after changing it). */
  load(theta: Float64Array): void {
    this.#theta = theta;
    this.#version++;
    const q = this.#gpu.device.queue;
    const { layers, readout, readoutBias, width } = this.#ref.layout;
    layers.forEach((spec, l) => {
      const L = this.#layers[l];
      q.writeBuffer(
        L.w,
        0,
        Float32Array.from(theta.subarray(spec.w, spec.w + spec.rows * spec.cols)),
      );
      q.writeBuffer(L.b, 0, Float32Array.from(theta.subarray(spec.b, spec.b + spec.rows)));
    });
    q.writeBuffer(
      this.#r,
      0,
      Float32Array.from(theta.subarray(readout, readout + this.#bo * width)),
    );
    this.#c.set(theta.subarray(readoutBias, readoutBias + this.#bo));
  }

  /** The products and elementwise kernels of a pass of `rows` rows. */
  #passesFor(rows: number): Passes {
    let p = this.#passes.get(rows);
    if (p) return p;
    const gpu = this.#gpu;
    const gemm = (shape: GemmShape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) =>
      gemmStep(gpu, shape, a, b, c, this.#one);
    const tanh = activationCode("tanh");
    // one thread an element: the uniform's first word is the count
    const elementwise = (code: string, values: number[], buffers: GPUBuffer[]) =>
      gpu.kernel(code, words(values), buffers, grid(values[0]));
    const H = this.#ref.layout.width, bo = this.#bo;
    // forward: pre_l = a_{l−1} W_lᵀ, then the bias and tanh; the readouts a_L Rᵀ of every basis
    const forward: Encode[] = [];
    this.#layers.forEach((L, l) => {
      const prev = l === 0 ? this.#x : this.#layers[l - 1].act;
      forward.push(gemm({ M: rows, N: L.nOut, K: L.nIn, transB: true }, prev, L.w, L.pre));
      const n = rows * L.nOut;
      forward.push(elementwise(BIAS_ACT_WGSL, [n, n, L.nOut, tanh], [L.pre, L.act, L.b]));
    });
    const last = this.#layers[this.#layers.length - 1];
    forward.push(gemm({ M: rows, N: bo, K: H, transB: true }, last.act, this.#r, this.#all));
    // backward from dAll (rows × bo): dR = dAllᵀ a_L, dH = dAll R, then layer by layer
    // dZ = dH ⊙ tanh′, db = 1ᵀ dZ, dW = dZᵀ a_{l−1}, dH_{l−1} = dZ W
    const backward: Encode[] = [
      gemm({ M: bo, N: H, K: rows, transA: true }, this.#dAll, last.act, this.#dR),
      gemm({ M: rows, N: H, K: bo }, this.#dAll, this.#r, this.#dH[0]),
    ];
    for (let l = this.#layers.length - 1, at = 0; l >= 0; l--, at = 1 - at) {
      const L = this.#layers[l];
      const dZ = this.#dH[at];
      const n = rows * L.nOut;
      backward.push(elementwise(ACT_GRAD_WGSL, [n, n, n, tanh], [dZ, L.pre, L.act]));
      backward.push(gemm({ M: 1, N: L.nOut, K: rows }, this.#ones, dZ, L.db));
      const prev = l === 0 ? this.#x : this.#layers[l - 1].act;
      backward.push(gemm({ M: L.nOut, N: L.nIn, K: rows, transA: true }, dZ, prev, L.dW));
      if (l > 0) backward.push(gemm({ M: rows, N: L.nIn, K: L.nOut }, dZ, L.w, this.#dH[1 - at]));
    }
    p = { forward, backward };
    this.#passes.set(rows, p);
    return p;
  }

  /**
   * Rows from…from + rows (≤ GPU_CHUNK) of the batch: their KL into kl[from…]; with `grad`,
   * adds scale × d(their summed KL)/dθ to it.
   */
  async #klRows(
    batch: Batch,
    from: number,
    rows: number,
    kl: Float64Array,
    grad: Float64Array | undefined,
    scale: number,
  ): Promise<void> {
    const { d } = this.spec;
    const O = this.#ref.outputs, bo = this.#bo;
    const passes = this.#passesFor(rows);
    const x = this.#xHost.subarray(0, rows * d);
    for (let i = 0; i < rows * d; i++) x[i] = batch.xt[from * d + i];
    this.#gpu.device.queue.writeBuffer(this.#x, 0, x);
    this.#gpu.submit(passes.forward);
    const [all] = await this.#gpu.read([{ buffer: this.#all, floats: rows * bo }]);
    for (let e = 0; e < rows; e++) {
      this.#ref.mixReadout(all, e * bo, this.#c, batch.t[from + e], this.#out, e * O);
      kl[from + e] = this.#ref.head(this.#out, e * O, batch, from + e, this.#dOut, e * O);
    }
    if (!grad) return;
    const { layers, readout, width } = this.#ref.layout;
    const dAll = this.#dAllHost.subarray(0, rows * bo);
    dAll.fill(0);
    for (let e = 0; e < rows; e++) {
      this.#ref.spreadReadout(this.#dOut, e * O, batch.t[from + e], scale, dAll, e * bo, grad);
    }
    this.#gpu.device.queue.writeBuffer(this.#dAll, 0, dAll);
    this.#gpu.submit(passes.backward);
    const got = await this.#gpu.read([
      { buffer: this.#dR, floats: bo * width },
      ...this.#layers.flatMap((L) => [
        { buffer: L.dW, floats: L.nOut * L.nIn },
        { buffer: L.db, floats: L.nOut },
      ]),
    ]);
    const add = (at: number, v: Float32Array) => {
      for (let i = 0; i < v.length; i++) grad[at + i] += v[i];
    };
    add(readout, got[0]);
    layers.forEach((spec, l) => {
      add(spec.w, got[1 + 2 * l]);
      add(spec.b, got[2 + 2 * l]);
    });
  }

  /** Each example's KL (nats), as ReverseKernel.kl, computed on the GPU. */
  async kl(batch: Batch): Promise<Float64Array> {
    const count = batch.t.length;
    const kl = new Float64Array(count);
    for (let from = 0; from < count; from += GPU_CHUNK) {
      await this.#klRows(batch, from, Math.min(GPU_CHUNK, count - from), kl, undefined, 0);
    }
    return kl;
  }

  /** Writes d(mean KL)/dθ into grad; returns the batch's mean KL. */
  async lossAndGrad(batch: Batch, grad: Float64Array): Promise<number> {
    const count = batch.t.length;
    const kl = new Float64Array(count);
    grad.fill(0);
    for (let from = 0; from < count; from += GPU_CHUNK) {
      await this.#klRows(batch, from, Math.min(GPU_CHUNK, count - from), kl, grad, 1 / count);
    }
    return kl.reduce((a, b) => a + b, 0) / count;
  }

  /** p(x^{t−1} | x^t) for every row, on the wasm twin at the same θ (see the module note). */
  reverseAll(xt: Float64Array, t: number): { mean: Float64Array; variance: Float64Array } {
    if (this.#twinVersion !== this.#version) {
      this.#twin.load(this.#theta);
      this.#twinVersion = this.#version;
    }
    return this.#twin.reverseAll(xt, t);
  }

  dispose(): void {
    for (const b of this.#owned) b.destroy();
  }
}
