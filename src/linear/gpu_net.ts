/**
 * The deep linear net of fused_net.ts on WebGPU (issue #31): the same full-batch gradient
 * descent on L = ½ Σ_μ ‖y_μ − W_tot x_μ‖² through Σ31 and Σ11, the same A/C bookkeeping, with
 * every product the GEMM of src/compute/webgpu/gemm.ts:
 *
 *   A_D = I, A_{l−1} = A_l W_l (so A_0 = W_tot);  E = Σ31 − W_tot Σ11;
 *   C_0 = E, then for l = 1…D: C_l = C_{l−1} W_lᵀ (old W_l), W_l += λ A_lᵀ C_{l−1}.
 *
 * The loss is the fused net's, in float64 on the host from the float32 W_tot and W_tot Σ11
 * that each step copies into a ring: `steps(lr, k)` runs k steps with no wait between them and
 * reads the ring once, so a run to a loss threshold overshoots by less than one ring (the
 * steps past it are discarded; the count is the first step below it, as on wasm).
 *
 * @module
 */
import type { Encode, Gpu } from "../compute/webgpu/device.ts";
import { GemmOp, type GemmShape, gemmStep } from "../compute/webgpu/gemm.ts";
import { grid, words } from "../compute/webgpu/elementwise.ts";

/** Steps a `steps` call runs at most (the ring's slots). */
export const GPU_LINEAR_RING = 32;

/** e = a − b elementwise. uniform: count */
const SUB_WGSL = /* wgsl */ `
struct P { count: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> e: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x + g.y * 65535u * 256u;
  if (i >= p.count) { return; }
  e[i] = a[i] - b[i];
}
`;

export class GpuLinearNet {
  readonly #gpu: Gpu;
  readonly #D: number;
  readonly #m: number;
  readonly #n0: number;
  readonly #w: GPUBuffer[];
  readonly #a: GPUBuffer[];
  /** W_tot Σ11 (or W_tot itself without Σ11) */
  readonly #ws: GPUBuffer;
  readonly #ring: GPUBuffer;
  readonly #owned: GPUBuffer[] = [];
  readonly #down: Encode[];
  readonly #up: Encode[];
  readonly #updates: GemmOp[];
  readonly #sigma31: Float64Array;
  readonly #halfTrace33: number;
  #lr = NaN;

  constructor(
    gpu: Gpu,
    readonly dims: readonly number[],
    weights: readonly Float64Array[],
    sigma31: Float64Array,
    sigma11: Float64Array | null,
    trace33: number,
  ) {
    this.#gpu = gpu;
    const D = dims.length - 1, m = dims[D], n0 = dims[0];
    this.#D = D;
    this.#m = m;
    this.#n0 = n0;
    this.#sigma31 = sigma31;
    this.#halfTrace33 = trace33 / 2;
    const buf = (floats: number, data?: Float64Array) => {
      const b = gpu.storage(floats, data ? Float32Array.from(data) : undefined);
      this.#owned.push(b);
      return b;
    };
    this.#w = weights.map((w, l) => buf(dims[l + 1] * dims[l], w));
    const eye = new Float64Array(m * m);
    for (let k = 0; k < m; k++) eye[k * m + k] = 1;
    this.#a = dims.map((d, l) => (l === D ? buf(m * m, eye) : buf(m * d)));
    const widest = Math.max(...dims);
    const C = [buf(m * widest), buf(m * widest)];
    const s31 = buf(m * n0, sigma31);
    const s11 = sigma11 ? buf(n0 * n0, sigma11) : null;
    this.#ws = s11 ? buf(m * n0) : this.#a[0];
    this.#ring = buf(GPU_LINEAR_RING * 2 * m * n0);
    const one = buf(1, Float64Array.of(1));
    const step = (shape: GemmShape, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer) =>
      gemmStep(gpu, shape, a, b, c, one);
    // down: A_{l−1} = A_l W_l, then W_tot Σ11
    this.#down = [];
    for (let l = D; l >= 1; l--) {
      const [a, w] = [this.#a[l], this.#w[l - 1]];
      this.#down.push(step({ M: m, N: dims[l - 1], K: dims[l] }, a, w, this.#a[l - 1]));
    }
    if (s11) this.#down.push(step({ M: m, N: n0, K: n0 }, this.#a[0], s11, this.#ws));
    // up: E = Σ31 − W_tot Σ11 into C_0; C_l = C_{l−1} W_lᵀ before W_l += λ A_lᵀ C_{l−1}
    this.#up = [gpu.kernel(SUB_WGSL, words([m * n0]), [s31, this.#ws, C[0]], grid(m * n0))];
    this.#updates = [];
    for (let l = 1; l <= D; l++) {
      const cin = C[(l - 1) % 2], cout = C[l % 2];
      if (l < D) {
        this.#up.push(
          step({ M: m, N: dims[l], K: dims[l - 1], transB: true }, cin, this.#w[l - 1], cout),
        );
      }
      // the update's scale is the learning rate, set per call (setScale): kept as a GemmOp
      const update = new GemmOp(
        gpu,
        { M: dims[l], N: dims[l - 1], K: m, transA: true, beta: 1 },
        this.#a[l],
        cin,
        this.#w[l - 1],
        one,
      );
      this.#updates.push(update);
      this.#up.push((pass) => update.encode(pass));
    }
  }

  get depth(): number {
    return this.#D;
  }

  /**
   * k ≤ GPU_LINEAR_RING steps of gradient descent at rate lr; returns the loss before each
   * (so entry j is the loss after t + j steps, t the steps taken before the call).
   */
  async steps(lr: number, k: number): Promise<Float64Array> {
    if (!(k >= 1 && k <= GPU_LINEAR_RING)) {
      throw new RangeError(`1…${GPU_LINEAR_RING} steps a call, got ${k}`);
    }
    if (lr !== this.#lr) {
      for (const op of this.#updates) op.setScale(lr);
      this.#lr = lr;
    }
    const mn = this.#m * this.#n0;
    const enc = this.#gpu.device.createCommandEncoder();
    for (let s = 0; s < k; s++) {
      let pass = enc.beginComputePass();
      for (const e of this.#down) e(pass);
      pass.end();
      enc.copyBufferToBuffer(this.#a[0], 0, this.#ring, 2 * s * mn * 4, mn * 4);
      enc.copyBufferToBuffer(this.#ws, 0, this.#ring, (2 * s + 1) * mn * 4, mn * 4);
      pass = enc.beginComputePass();
      for (const e of this.#up) e(pass);
      pass.end();
    }
    this.#gpu.device.queue.submit([enc.finish()]);
    const [ring] = await this.#gpu.read([{ buffer: this.#ring, floats: 2 * k * mn }]);
    // L = ½ tr Σ33 − tr(Σ31ᵀ W) + ½ tr(W Σ11 Wᵀ), in float64, as the fused net computes it
    return Float64Array.from({ length: k }, (_, s) => {
      let cross = 0, quad = 0;
      for (let i = 0; i < mn; i++) {
        const w = ring[2 * s * mn + i], v = ring[(2 * s + 1) * mn + i];
        cross += this.#sigma31[i] * w;
        quad += v * w;
      }
      return this.#halfTrace33 - cross + quad / 2;
    });
  }

  /** W_tot = W_D ⋯ W_1 as the weights stand (outputs × inputs). */
  async total(): Promise<Float64Array> {
    this.#gpu.submit(this.#down);
    const [w] = await this.#gpu.read([{ buffer: this.#a[0], floats: this.#m * this.#n0 }]);
    return Float64Array.from(w);
  }

  dispose(): void {
    for (const b of this.#owned) b.destroy();
  }
}
