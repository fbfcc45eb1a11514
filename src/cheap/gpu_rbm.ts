/**
 * The RBM's CD-1 step on WebGPU (issue #31): `SimdRbm`'s rule (rbm.ts) — the same products,
 * the same draws, the same momentum and L1 update — as WGSL kernels, for `--backend webgpu`.
 *
 *   h0pre = v0 W;  p(h|v0) = σ(h0pre + c);  h0 = [u < p(h|v0)]     (u drawn on the host)
 *   v1 = σ(h0 Wᵀ + b)                  (probabilities: they drive the negative phase)
 *   p(h|v1) = σ(v1 W + c)
 *   G = v0ᵀ p(h|v0) − v1ᵀ p(h|v1);  vel = m·vel + (η/B)·G − η·l1·sign(W);  W += vel
 *
 * W and the velocity live on the GPU. The biases stay float64 on the host, as on wasm: each
 * step uploads them with the batch and h0's draws, and reads back their statistics (and the
 * reconstruction error) in one read — a round trip a step, which on a GPU is latency, not work.
 * The draws come from the run's rng in the order the wasm step takes them, so the two
 * backends differ only by float32 rounding.
 *
 * @module
 */
import type { Encode, Gpu } from "../compute/webgpu/device.ts";
import { type GemmShape, gemmStep } from "../compute/webgpu/gemm.ts";
import { ACTIVATION_WGSL, grid, words } from "../compute/webgpu/elementwise.ts";
import type { Rng } from "../random/rng.ts";

/**
 * p(h|v0) and h0's sample, one thread per (row, hidden unit).
 * uniform: count, nh
 */
const HIDDEN_WGSL = /* wgsl */ `
${ACTIVATION_WGSL}
struct P { count: u32, nh: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> h0: array<f32>;
@group(0) @binding(2) var<storage, read_write> ph0: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read> u: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x + g.y * 65535u * 256u;
  if (i >= p.count) { return; }
  let q = sigmoid32(h0[i] + c[i % p.nh]);
  ph0[i] = q;
  h0[i] = select(0.0, 1.0, u[i] < q);
}
`;

/**
 * The reconstruction v1 = σ(pre + b) in place, with each visible unit's statistics over the
 * rows: db_i = Σ (v0 − v1), err_i = Σ (v0 − v1)². One thread per visible unit.
 * uniform: rows, nv
 */
const VISIBLE_WGSL = /* wgsl */ `
${ACTIVATION_WGSL}
struct P { rows: u32, nv: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> v1: array<f32>;
@group(0) @binding(2) var<storage, read> v0: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.nv) { return; }
  var db = 0.0;
  var err = 0.0;
  for (var m = 0u; m < p.rows; m = m + 1u) {
    let k = m * p.nv + i;
    let q = sigmoid32(v1[k] + b[i]);
    let d = v0[k] - q;
    db = db + d;
    err = err + d * d;
    v1[k] = q;
  }
  stats[i] = db;
  stats[p.nv + i] = err;
}
`;

/**
 * p(h|v1) = σ(pre + c) in place, and dc_j = Σ (p(h|v0) − p(h|v1)) over the rows. One thread per
 * hidden unit; dc goes after the visible statistics (at 2·nv).
 * uniform: rows, nh, at
 */
const NEGATIVE_WGSL = /* wgsl */ `
${ACTIVATION_WGSL}
struct P { rows: u32, nh: u32, at: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> ph1: array<f32>;
@group(0) @binding(2) var<storage, read> ph0: array<f32>;
@group(0) @binding(3) var<storage, read> c: array<f32>;
@group(0) @binding(4) var<storage, read_write> stats: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let j = g.x;
  if (j >= p.nh) { return; }
  var dc = 0.0;
  for (var m = 0u; m < p.rows; m = m + 1u) {
    let k = m * p.nh + j;
    let q = sigmoid32(ph1[k] + c[j]);
    dc = dc + ph0[k] - q;
    ph1[k] = q;
  }
  stats[p.at + j] = dc;
}
`;

/**
 * The momentum step with L1 decay, as the wasm kernel momentum_l1:
 * vel = m·vel + rate·G − decay·sign(w); w += vel.
 * uniform: n, momentum, rate, decay
 */
const MOMENTUM_L1_WGSL = /* wgsl */ `
struct P { n: u32, momentum: f32, rate: f32, decay: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read_write> vel: array<f32>;
@group(0) @binding(3) var<storage, read> G: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x + g.y * 65535u * 256u;
  if (i >= p.n) { return; }
  let wi = w[i];
  let v = p.momentum * vel[i] + p.rate * G[i] - p.decay * sign(wi);
  vel[i] = v;
  w[i] = wi + v;
}
`;

/** One RBM layer trained by CD-1 on the GPU, a batch of `batch` visible vectors a step. */
export class GpuRbm {
  readonly b: Float64Array;
  readonly c: Float64Array;
  readonly #gpu: Gpu;
  readonly #buf: Record<"W" | "vel" | "v0" | "h0" | "ph0" | "v1" | "ph1" | "G", GPUBuffer>;
  readonly #bGpu: GPUBuffer;
  readonly #cGpu: GPUBuffer;
  readonly #u: GPUBuffer;
  readonly #stats: GPUBuffer;
  readonly #update: GPUBuffer;
  readonly #steps: Encode[];
  readonly #owned: GPUBuffer[] = [];
  readonly #uHost: Float32Array<ArrayBuffer>;
  readonly #updateWords = new ArrayBuffer(16);

  private constructor(
    gpu: Gpu,
    readonly nv: number,
    readonly nh: number,
    readonly batch: number,
    w: Float32Array<ArrayBuffer>,
  ) {
    this.#gpu = gpu;
    this.b = new Float64Array(nv);
    this.c = new Float64Array(nh);
    const buf = (floats: number, data?: Float32Array<ArrayBuffer>) => {
      const x = gpu.storage(floats, data);
      this.#owned.push(x);
      return x;
    };
    const B = batch;
    this.#buf = {
      W: buf(nv * nh, w),
      vel: buf(nv * nh),
      v0: buf(B * nv),
      h0: buf(B * nh),
      ph0: buf(B * nh),
      v1: buf(B * nv),
      ph1: buf(B * nh),
      G: buf(nv * nh),
    };
    this.#bGpu = buf(nv);
    this.#cGpu = buf(nh);
    this.#u = buf(B * nh);
    this.#uHost = new Float32Array(B * nh);
    this.#stats = buf(2 * nv + nh);
    this.#update = gpu.uniform(this.#updateWords);
    const one = buf(1, new Float32Array([1]));
    const f = this.#buf;
    const gemm = (shape: GemmShape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) =>
      gemmStep(gpu, shape, a, b, c, one);
    // 256 threads a workgroup for elementwise kernels, 64 for the per-unit sums over rows
    const perElement = (code: string, values: number[], buffers: GPUBuffer[], n: number) =>
      gpu.kernel(code, words(values), buffers, grid(n));
    const perUnit = (code: string, values: number[], buffers: GPUBuffer[], n: number) =>
      gpu.kernel(code, words(values), buffers, [Math.ceil(n / 64), 1]);
    const momentum = gpu.pipeline(MOMENTUM_L1_WGSL);
    const momentumGroup = gpu.bindGroup(momentum, [this.#update, f.W, f.vel, f.G]);
    const [mx, my] = grid(nv * nh);
    this.#steps = [
      gemm({ M: B, N: nh, K: nv }, f.v0, f.W, f.h0),
      perElement(HIDDEN_WGSL, [B * nh, nh], [f.h0, f.ph0, this.#cGpu, this.#u], B * nh),
      gemm({ M: B, N: nv, K: nh, transB: true }, f.h0, f.W, f.v1),
      perUnit(VISIBLE_WGSL, [B, nv], [f.v1, f.v0, this.#bGpu, this.#stats], nv),
      gemm({ M: B, N: nh, K: nv }, f.v1, f.W, f.ph1),
      perUnit(NEGATIVE_WGSL, [B, nh, 2 * nv], [f.ph1, f.ph0, this.#cGpu, this.#stats], nh),
      // G = v0ᵀ p(h|v0) − v1ᵀ p(h|v1): the second product subtracts into the first
      gemm({ M: nv, N: nh, K: B, transA: true }, f.v0, f.ph0, f.G),
      gemm({ M: nv, N: nh, K: B, transA: true, beta: 1, scale: -1 }, f.v1, f.ph1, f.G),
      (pass) => gpu.dispatch(pass, momentum, momentumGroup, mx, my),
    ];
  }

  /** A machine with W ~ N(0, 0.01²) drawn as SimdRbm.create draws it (the same numbers). */
  static create(gpu: Gpu, nv: number, nh: number, batch: number, rng: Rng): GpuRbm {
    if (!(nv >= 1 && nh >= 1 && batch >= 1)) {
      throw new RangeError(`GpuRbm needs nv, nh, batch ≥ 1 (got ${nv}, ${nh}, ${batch})`);
    }
    const w = new Float32Array(nv * nh);
    rng.fillNormal(w, 0.01); // Hinton's practical guide: N(0, 0.01²)
    return new GpuRbm(gpu, nv, nh, batch, w);
  }

  /** visible biases from the data's means, ln(p/(1 − p)) (Hinton's guide, §8) */
  setVisibleBiases(means: ArrayLike<number>): void {
    for (let i = 0; i < this.nv; i++) {
      const p = Math.min(Math.max(means[i], 1e-3), 1 - 1e-3);
      this.b[i] = Math.log(p / (1 - p));
    }
  }

  /**
   * One CD-1 step on `v0` (batch × nv, 0/1), as SimdRbm.step: returns the mean squared
   * reconstruction error once the GPU has computed it.
   */
  async step(
    v0: Float32Array,
    lr: number,
    l1: number,
    momentum: number,
    rng: Rng,
  ): Promise<number> {
    const { nv, nh, batch } = this;
    const q = this.#gpu.device.queue;
    for (let k = 0; k < this.#uHost.length; k++) this.#uHost[k] = rng.uniform();
    q.writeBuffer(this.#buf.v0, 0, Float32Array.from(v0.subarray(0, batch * nv)));
    q.writeBuffer(this.#u, 0, this.#uHost);
    q.writeBuffer(this.#bGpu, 0, Float32Array.from(this.b));
    q.writeBuffer(this.#cGpu, 0, Float32Array.from(this.c));
    const rate = lr / batch;
    const u = new Uint32Array(this.#updateWords), f = new Float32Array(this.#updateWords);
    u[0] = nv * nh;
    f[1] = momentum;
    f[2] = rate;
    f[3] = lr * l1;
    q.writeBuffer(this.#update, 0, this.#updateWords);
    this.#gpu.submit(this.#steps);
    const [stats] = await this.#gpu.read([{ buffer: this.#stats, floats: 2 * nv + nh }]);
    let err = 0;
    for (let i = 0; i < nv; i++) {
      this.b[i] += rate * stats[i];
      err += stats[nv + i];
    }
    for (let j = 0; j < nh; j++) this.c[j] += rate * stats[2 * nv + j];
    return err / (batch * nv);
  }

  /** A copy of the weights, visible-major (W[i·nh + j] joins visible i and hidden j). */
  async weights(): Promise<Float32Array> {
    const [w] = await this.#gpu.read([{ buffer: this.#buf.W, floats: this.nv * this.nh }]);
    return w;
  }

  dispose(): void {
    for (const b of this.#owned) b.destroy();
    this.#update.destroy();
  }
}
