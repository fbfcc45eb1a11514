/**
 * Z fully connected nets of one shape, trained at once on WebGPU: every layer's forward
 * product, the two backward products and the update are one batched GEMM dispatch for all
 * Z nets (gemm.ts, z = net), so a sweep of small nets (trainability's σw² at one depth,
 * critical-gain's gains) fills a GPU that one width-100 layer would leave idle.
 *
 * The nets are `SimdMlp`'s (src/compute/simd_mlp.ts): the same parametrisation, the same
 * initial numbers from the same seed (`initialLayers`), the same step (B_l −= η rate_l
 * A_{l−1}ᵀ dZ_l after dA_{l−1} = dZ_l B_lᵀ with the old B), activations evaluated by the same
 * formulas; only the order of float32 sums differs.
 *
 * A step uploads only the minibatch's row indices: the training rows live on the GPU
 * (`bind`) and a gather kernel builds each net's batch. The step's losses stay on the GPU in
 * a ring of LOSS_RING steps and come back together (`losses()`), so the host never waits on
 * a step; a full ring is copied out without waiting too.
 *
 * @module
 */
import type { Encode, Gpu } from "./device.ts";
import { GemmOp } from "./gemm.ts";
import {
  ACT_GRAD_WGSL,
  activationCode,
  BIAS_ACT_WGSL,
  BIAS_STEP_WGSL,
  GATHER_WGSL,
  grid,
  LOSS_HEAD_WGSL,
  LOSS_SUM_WGSL,
  words,
} from "./elementwise.ts";
import { initialLayers, type MlpSpec } from "../simd_mlp.ts";
import type { Rng } from "../../random/rng.ts";

/** steps whose losses wait on the GPU before they are copied out */
export const LOSS_RING = 128;

interface GpuLayer {
  readonly nIn: number;
  readonly nOut: number;
  readonly w: GPUBuffer;
  readonly b: GPUBuffer;
  readonly pre: GPUBuffer;
  readonly act: GPUBuffer;
}

export class GpuMlps {
  readonly count: number;
  readonly #gpu: Gpu;
  readonly #spec: MlpSpec;
  readonly #layers: GpuLayer[] = [];
  readonly #m: number;
  readonly #k: number;
  readonly #squared: boolean;
  readonly #x: GPUBuffer;
  readonly #evalX: GPUBuffer;
  readonly #y: GPUBuffer;
  readonly #idx: GPUBuffer;
  readonly #rowLoss: GPUBuffer;
  readonly #losses: GPUBuffer;
  readonly #slot: GPUBuffer;
  readonly #owned: GPUBuffer[] = [];
  /** the step's dispatches after the gather, and the forward for evaluation */
  #train: Encode[] = [];
  #evalForward: Encode[] = [];
  #gather: Encode[] = [];
  /** ops whose uniform carries the learning rate */
  #lrOps: { setLr(lr: number): void }[] = [];
  #lr = NaN;
  #data: { x: GPUBuffer; y: GPUBuffer } | null = null;
  #slotNow = 0;
  /** every net's minibatch indices, reused step to step */
  readonly #idxHost: Uint32Array<ArrayBuffer>;
  #pending: { staging: GPUBuffer; steps: number; mapped: Promise<void> }[] = [];

  constructor(gpu: Gpu, specs: readonly MlpSpec[], rngs: readonly Rng[]) {
    const spec = specs[0];
    for (const s of specs) {
      for (const key of ["inputs", "outputs", "width", "depth", "batch", "activation", "loss"]) {
        const k = key as keyof MlpSpec;
        if (s[k] !== spec[k]) throw new RangeError(`nets of one group share ${key}`);
      }
    }
    this.#gpu = gpu;
    this.#spec = spec;
    this.count = specs.length;
    const Z = this.count, m = spec.batch;
    this.#m = m;
    this.#k = spec.outputs;
    this.#squared = spec.loss === "squared";
    const buf = (floats: number, data?: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>) => {
      const b = gpu.storage(floats, data);
      this.#owned.push(b);
      return b;
    };
    const real = [spec.inputs, ...Array(spec.depth).fill(spec.width), spec.outputs];
    const widest = Math.max(...real);
    const S = m * widest; // the gradient buffers' z-stride
    const G = [buf(Z * S), buf(Z * S)];
    this.#x = buf(Z * m * spec.inputs);
    this.#evalX = buf(m * spec.inputs);
    this.#y = buf(Z * m * (this.#squared ? this.#k : 1));
    this.#idx = buf(Z * m);
    this.#idxHost = new Uint32Array(Z * m);
    this.#rowLoss = buf(Z * m);
    this.#losses = buf(LOSS_RING * Z);
    this.#slot = buf(1);
    const ones = buf(Z, new Float32Array(Z).fill(1));

    const inits = specs.map((s, z) => initialLayers(s, rngs[z]));
    for (let l = 0; l + 1 < real.length; l++) {
      const nIn = real[l], nOut = real[l + 1];
      const w = new Float32Array(Z * nIn * nOut), b = new Float32Array(Z * nOut);
      inits.forEach((init, z) => {
        w.set(init[l].w, z * nIn * nOut);
        b.set(init[l].b, z * nOut);
      });
      this.#layers.push({
        nIn,
        nOut,
        w: buf(w.length, w),
        b: buf(b.length, b),
        pre: buf(Z * m * nOut),
        act: buf(Z * m * nOut),
      });
    }
    const rates = specs.map((s) =>
      s.rates ?? { weights: Array(spec.depth + 1).fill(1), biases: 1 }
    );
    const rateB = buf(Z, new Float32Array(rates.map((r) => r.biases)));
    const rateW = this.#layers.map((_, l) =>
      buf(Z, new Float32Array(rates.map((r) => r.weights[l])))
    );

    const act = activationCode(spec.activation ?? "tanh");
    const biasAct = (L: GpuLayer, kind: number): Encode => {
      const p = gpu.pipeline(BIAS_ACT_WGSL);
      const u = gpu.uniform(words([Z * m * L.nOut, m * L.nOut, L.nOut, kind]));
      const group = gpu.bindGroup(p, [u, L.pre, L.act, L.b]);
      const [gx, gy] = grid(Z * m * L.nOut);
      return (pass) => gpu.dispatch(pass, p, group, gx, gy);
    };
    // forward: pre_l = A_{l−1} B_l (A_{−1} = the batch), then the bias and φ (identity last)
    const forward = (evalMode: boolean): Encode[] =>
      this.#layers.flatMap((L, l) => {
        const input = l === 0 ? (evalMode ? this.#evalX : this.#x) : this.#layers[l - 1].act;
        const op = new GemmOp(
          gpu,
          {
            M: m,
            N: L.nOut,
            K: L.nIn,
            batch: Z,
            strideA: l === 0 && evalMode ? 0 : m * L.nIn,
            strideB: L.nIn * L.nOut,
            strideC: m * L.nOut,
          },
          input,
          L.w,
          L.pre,
          ones,
        );
        const last = l + 1 === this.#layers.length;
        return [
          (pass: GPUComputePassEncoder) => op.encode(pass),
          biasAct(L, last ? activationCode("linear") : act),
        ];
      });
    this.#evalForward = forward(true);

    // the gather of each net's batch (and labels or targets) by index
    const gather = (src: () => GPUBuffer, dst: GPUBuffer, cols: number): Encode => {
      const p = gpu.pipeline(GATHER_WGSL);
      const u = gpu.uniform(words([Z * m * cols, m, cols]));
      let group: GPUBindGroup | null = null, bound: GPUBuffer | null = null;
      const [gx, gy] = grid(Z * m * cols);
      return (pass) => {
        if (bound !== src()) [bound, group] = [src(), gpu.bindGroup(p, [u, src(), this.#idx, dst])];
        gpu.dispatch(pass, p, group!, gx, gy);
      };
    };
    this.#gather = [
      gather(() => this.#data!.x, this.#x, spec.inputs),
      gather(() => this.#data!.y, this.#y, this.#squared ? this.#k : 1),
    ];

    const train: Encode[] = forward(false);
    const last = this.#layers[this.#layers.length - 1];
    {
      const p = gpu.pipeline(LOSS_HEAD_WGSL);
      const u = gpu.uniform(words([Z, m, this.#k, S, this.#squared ? 1 : 0]));
      const group = gpu.bindGroup(p, [u, last.act, this.#y, G[0], this.#rowLoss]);
      train.push((pass) => gpu.dispatch(pass, p, group, Math.ceil((Z * m) / 64)));
      const ps = gpu.pipeline(LOSS_SUM_WGSL);
      const us = gpu.uniform(words([Z, m]));
      const gs = gpu.bindGroup(ps, [us, this.#rowLoss, this.#losses, this.#slot]);
      train.push((pass) => gpu.dispatch(pass, ps, gs, Math.ceil(Z / 64)));
    }
    let cur = 0;
    for (let l = this.#layers.length - 1; l >= 0; l--) {
      const L = this.#layers[l];
      const gz = G[cur], gNext = G[1 - cur];
      {
        const p = gpu.pipeline(BIAS_STEP_WGSL);
        const words0 = words([Z, m, L.nOut, S, 0], [4]);
        const u = gpu.uniform(words0);
        const group = gpu.bindGroup(p, [u, L.b, gz, rateB]);
        train.push((pass) => gpu.dispatch(pass, p, group, Math.ceil((Z * L.nOut) / 256)));
        this.#lrOps.push({
          setLr: (lr) => {
            new Float32Array(words0)[4] = lr;
            gpu.device.queue.writeBuffer(u, 0, words0);
          },
        });
      }
      if (l > 0) {
        // dA_{l−1} = dZ_l B_lᵀ, with the B of before this step's update
        const back = new GemmOp(
          gpu,
          {
            M: m,
            N: L.nIn,
            K: L.nOut,
            transB: true,
            batch: Z,
            strideA: S,
            strideB: L.nIn * L.nOut,
            strideC: S,
          },
          gz,
          L.w,
          gNext,
          ones,
        );
        train.push((pass) => back.encode(pass));
      }
      const input = l === 0 ? this.#x : this.#layers[l - 1].act;
      const update = new GemmOp(
        gpu,
        {
          M: L.nIn,
          N: L.nOut,
          K: m,
          transA: true,
          batch: Z,
          strideA: m * L.nIn,
          strideB: S,
          strideC: L.nIn * L.nOut,
          beta: 1,
        },
        input,
        gz,
        L.w,
        rateW[l],
      );
      train.push((pass) => update.encode(pass));
      this.#lrOps.push({ setLr: (lr) => update.setScale(-lr) });
      if (l > 0) {
        const prev = this.#layers[l - 1];
        const p = gpu.pipeline(ACT_GRAD_WGSL);
        const u = gpu.uniform(words([Z * m * prev.nOut, m * prev.nOut, S, act]));
        const group = gpu.bindGroup(p, [u, gNext, prev.pre, prev.act]);
        const [gx, gy] = grid(Z * m * prev.nOut);
        train.push((pass) => gpu.dispatch(pass, p, group, gx, gy));
        cur = 1 - cur;
      }
    }
    this.#train = train;
  }

  /** The training rows (and labels, or target rows of `outputs` floats) that `step` indexes. */
  bind(x: readonly Float32Array[], y: readonly number[] | readonly Float32Array[]): void {
    this.#data?.x.destroy();
    this.#data?.y.destroy();
    const n = this.#spec.inputs, k = this.#k;
    const xs = new Float32Array(x.length * n);
    x.forEach((r, i) => xs.set(r, i * n));
    const ys = new Float32Array(x.length * (this.#squared ? k : 1));
    if (this.#squared) (y as readonly Float32Array[]).forEach((t, i) => ys.set(t, i * k));
    else ys.set(y as readonly number[]);
    this.#data = {
      x: this.#gpu.storage(xs.length, xs),
      y: this.#gpu.storage(ys.length, ys),
    };
  }

  /** One step of every net at rate lr on its minibatch: `idx[z]` rows of the bound data. */
  step(idx: readonly ArrayLike<number>[], lr: number): void {
    if (!this.#data) throw new Error("GpuMlps.step before bind");
    const gpu = this.#gpu, m = this.#m;
    if (lr !== this.#lr) {
      for (const op of this.#lrOps) op.setLr(lr);
      this.#lr = lr;
    }
    const all = this.#idxHost;
    idx.forEach((rows, z) => {
      for (let r = 0; r < m; r++) all[z * m + r] = rows[r];
    });
    gpu.device.queue.writeBuffer(this.#idx, 0, all);
    gpu.device.queue.writeBuffer(this.#slot, 0, new Uint32Array([this.#slotNow]));
    const enc = gpu.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const e of this.#gather) e(pass);
    for (const e of this.#train) e(pass);
    pass.end();
    this.#slotNow++;
    const full = this.#slotNow === LOSS_RING;
    if (full) this.#copyLosses(enc);
    gpu.device.queue.submit([enc.finish()]);
    if (full) this.#mapLast();
  }

  #copyLosses(enc: GPUCommandEncoder) {
    const bytes = this.#slotNow * this.count * 4;
    const staging = this.#gpu.device.createBuffer({
      size: Math.ceil(bytes / 16) * 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    enc.copyBufferToBuffer(this.#losses, 0, staging, 0, bytes);
    this.#pending.push({ staging, steps: this.#slotNow, mapped: Promise.resolve() });
    this.#slotNow = 0;
  }

  #mapLast() {
    const p = this.#pending[this.#pending.length - 1];
    p.mapped = p.staging.mapAsync(GPUMapMode.READ);
  }

  /** Every net's minibatch loss of each step since the last call, in step order. */
  async losses(): Promise<Float64Array[]> {
    if (this.#slotNow > 0) {
      const enc = this.#gpu.device.createCommandEncoder();
      this.#copyLosses(enc);
      this.#gpu.device.queue.submit([enc.finish()]);
      this.#mapLast();
    }
    const Z = this.count;
    const steps = this.#pending.reduce((s, p) => s + p.steps, 0);
    const out = Array.from({ length: Z }, () => new Float64Array(steps));
    let at = 0;
    for (const p of this.#pending) {
      await p.mapped;
      const v = new Float32Array(p.staging.getMappedRange(0, p.steps * Z * 4));
      for (let s = 0; s < p.steps; s++) for (let z = 0; z < Z; z++) out[z][at + s] = v[s * Z + z];
      p.staging.unmap();
      p.staging.destroy();
      at += p.steps;
    }
    this.#pending = [];
    return out;
  }

  /** Every net's outputs (rows × outputs) for the rows x, in chunks of the batch. */
  async outputs(x: readonly Float32Array[]): Promise<Float32Array[][]> {
    const gpu = this.#gpu, m = this.#m, Z = this.count, k = this.#k, n = this.#spec.inputs;
    const chunks = Math.ceil(x.length / m);
    const last = this.#layers[this.#layers.length - 1];
    const results = gpu.storage(chunks * Z * m * k);
    const chunk = new Float32Array(m * n);
    for (let c = 0; c < chunks; c++) {
      chunk.fill(0);
      for (let r = 0; r < m && c * m + r < x.length; r++) chunk.set(x[c * m + r], r * n);
      gpu.device.queue.writeBuffer(this.#evalX, 0, chunk);
      const enc = gpu.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (const e of this.#evalForward) e(pass);
      pass.end();
      enc.copyBufferToBuffer(last.act, 0, results, c * Z * m * k * 4, Z * m * k * 4);
      gpu.device.queue.submit([enc.finish()]);
    }
    const [all] = await gpu.read([{ buffer: results, floats: chunks * Z * m * k }]);
    results.destroy();
    return Array.from({ length: Z }, (_, z) =>
      x.map((_, i) => {
        const c = Math.floor(i / m), r = i % m;
        const o = ((c * Z + z) * m + r) * k;
        return all.slice(o, o + k);
      }));
  }

  /** A copy of every net's B = Wᵀ (nIn × nOut, unpadded) and bias, layer by layer. */
  async parameters(): Promise<{ nIn: number; nOut: number; w: Float32Array; b: Float32Array }[][]> {
    const Z = this.count;
    const read = await this.#gpu.read(this.#layers.flatMap((L) => [
      { buffer: L.w, floats: Z * L.nIn * L.nOut },
      { buffer: L.b, floats: Z * L.nOut },
    ]));
    return Array.from({ length: Z }, (_, z) =>
      this.#layers.map((L, l) => ({
        nIn: L.nIn,
        nOut: L.nOut,
        w: read[2 * l].slice(z * L.nIn * L.nOut, (z + 1) * L.nIn * L.nOut),
        b: read[2 * l + 1].slice(z * L.nOut, (z + 1) * L.nOut),
      })));
  }

  dispose(): void {
    for (const b of this.#owned) b.destroy();
    this.#data?.x.destroy();
    this.#data?.y.destroy();
    this.#data = null;
  }
}
