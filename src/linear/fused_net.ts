/**
 * The deep linear net of network.ts, stepped by the float32 SIMD loops of
 * compute/simd_kernels.ts instead of tfjs: the same full-batch gradient descent on
 * L = ½ Σ_μ ‖y_μ − W_tot x_μ‖² through Σ31 and Σ11, the same A/C bookkeeping,
 * with every weight updated in place. Used where tfjs would run on wasm or cpu;
 * tests/linear_fused_test.ts holds the two to the same trajectory.
 *
 * Per step: A_{l−1} = A_l W_l from A_D = I down (one read of each W), then
 * E = Σ31 − W_tot Σ11, then up the layers C_l = C_{l−1} W_lᵀ and
 * W_l += λ A_lᵀ C_{l−1} in one pass (one read and one write of each W).
 *
 * @module
 */
import { instantiateKernels, type Kernels } from "../compute/simd_kernels.ts";
import type { StepResult } from "./network.ts";

const pad = (n: number, to: number) => Math.ceil(n / to) * to;

export class FusedLinearNet {
  readonly #k: Kernels;
  readonly #D: number;
  readonly #m: number; // outputs
  readonly #m2: number; // rows of A and C: outputs padded to even (update takes rows in pairs)
  readonly #s: number[]; // padded layer sizes s_0 … s_D
  readonly #w: number[]; // byte offsets of W_1 … W_D (index l − 1)
  readonly #a: number[]; // byte offsets of A_0 … A_D, each m2 × s_l
  readonly #c: [number, number]; // two m2 × max s buffers for C
  readonly #s11: number | null; // Σ11, s_0 × s_0
  readonly #ws: number; // W_tot Σ11, m2 × s_0
  readonly #sigma31: Float64Array;
  readonly #halfTrace33: number;
  readonly #n0: number;

  private constructor(
    kernels: Kernels,
    layout: Layout,
    readonly dims: readonly number[],
    sigma31: Float64Array,
    trace33: number,
  ) {
    this.#k = kernels;
    this.#D = dims.length - 1;
    this.#m = dims[this.#D];
    this.#m2 = layout.m2;
    this.#s = layout.s;
    this.#w = layout.w;
    this.#a = layout.a;
    this.#c = layout.c;
    this.#s11 = layout.s11;
    this.#ws = layout.ws;
    this.#sigma31 = sigma31;
    this.#halfTrace33 = trace33 / 2;
    this.#n0 = dims[0];
  }

  /** Same arguments as LinearNet (less tfjs): weights row-major, sigma11 null for one-hot inputs. */
  static async create(
    dims: readonly number[],
    weights: readonly Float64Array[],
    sigma31: Float64Array,
    sigma11: Float64Array | null,
    trace33: number,
  ): Promise<FusedLinearNet> {
    const layout = plan(dims, sigma11 !== null);
    const kernels = await instantiateKernels(layout.bytes);
    const net = new FusedLinearNet(kernels, layout, dims, sigma31, trace33);
    const D = dims.length - 1;
    for (let l = 1; l <= D; l++) {
      net.#put(net.#w[l - 1], net.#s[l - 1], weights[l - 1], dims[l], dims[l - 1]);
    }
    if (sigma11 && layout.s11 !== null) {
      net.#put(layout.s11, layout.s[0], sigma11, dims[0], dims[0]);
    }
    // A_D = I: the top layer's update is then the same loop, W_D += λ C_{D−1}.
    const top = net.#view(layout.a[D], layout.m2 * layout.s[D]);
    for (let k = 0; k < net.#m; k++) top[k * layout.s[D] + k] = 1;
    return net;
  }

  get depth(): number {
    return this.#D;
  }

  #view(offset: number, length: number): Float32Array {
    return new Float32Array(this.#k.memory.buffer, offset, length);
  }

  #put(offset: number, stride: number, src: Float64Array, rows: number, cols: number): void {
    const dst = this.#view(offset, rows * stride);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) dst[i * stride + j] = src[i * cols + j];
    }
  }

  /** W_tot = W_D ⋯ W_1 as the weights stand (outputs × inputs, float64). */
  total(): Float64Array {
    this.#topDown();
    return this.#unpad(this.#a[0], this.#s[0], this.#m, this.#n0);
  }

  #unpad(offset: number, stride: number, rows: number, cols: number): Float64Array {
    const src = this.#view(offset, rows * stride);
    const out = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = src[i * stride + j];
    }
    return out;
  }

  #topDown(): void {
    const { rowmat } = this.#k;
    for (let l = this.#D; l >= 1; l--) {
      rowmat(this.#a[l], this.#m2, this.#w[l - 1], this.#s[l], this.#s[l - 1], this.#a[l - 1]);
    }
  }

  /** One step of gradient descent at rate lr; the loss reported is the one before it. */
  step(lr: number, measureNorms: boolean): StepResult {
    const D = this.#D, m = this.#m, m2 = this.#m2, s = this.#s, s0 = s[0], n0 = this.#n0;
    this.#topDown();
    const wTot = this.#view(this.#a[0], m2 * s0);
    let ws = wTot;
    if (this.#s11 !== null) {
      this.#k.rowmat(this.#a[0], m2, this.#s11, s0, s0, this.#ws);
      ws = this.#view(this.#ws, m2 * s0);
    }
    // L = ½ tr Σ33 − tr(Σ31ᵀ W) + ½ tr(W Σ11 Wᵀ), in float64; E = Σ31 − W Σ11 into C_0.
    const e = this.#view(this.#c[0], m2 * s0);
    e.fill(0);
    let cross = 0, quad = 0;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < n0; j++) {
        const w = wTot[k * s0 + j], y = this.#sigma31[k * n0 + j], v = ws[k * s0 + j];
        cross += y * w;
        quad += v * w;
        e[k * s0 + j] = y - v;
      }
    }
    const loss = this.#halfTrace33 - cross + quad / 2;
    const norms: number[] = [];
    const updates: number[] = [];
    let [cin, cout] = this.#c;
    for (let l = 1; l <= D; l++) {
      if (measureNorms) updates.push(lr * this.#gramNorm(this.#a[l], s[l], cin, s[l - 1]));
      this.#k.update(this.#w[l - 1], s[l], s[l - 1], this.#a[l], m2, cin, cout, lr);
      if (measureNorms) norms.push(frobenius(this.#view(this.#w[l - 1], s[l] * s[l - 1])));
      [cin, cout] = [cout, cin];
    }
    return { loss, norms, updates };
  }

  /** ‖Aᵀ C‖_F = √(Σ_kk' (A Aᵀ)_kk' (C Cᵀ)_kk'), from the thin factors. */
  #gramNorm(a: number, sa: number, c: number, sc: number): number {
    const m2 = this.#m2;
    const A = this.#view(a, m2 * sa), C = this.#view(c, m2 * sc);
    let sum = 0;
    for (let k = 0; k < m2; k++) {
      for (let q = 0; q < m2; q++) {
        let ga = 0, gc = 0;
        for (let i = 0; i < sa; i++) ga += A[k * sa + i] * A[q * sa + i];
        for (let j = 0; j < sc; j++) gc += C[k * sc + j] * C[q * sc + j];
        sum += ga * gc;
      }
    }
    return Math.sqrt(Math.max(sum, 0));
  }

  /** Nothing to free by hand: the memory goes with the object. Kept for LinearNet's interface. */
  dispose(): void {}
}

function frobenius(x: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  return Math.sqrt(sum);
}

interface Layout {
  readonly m2: number;
  readonly s: number[];
  readonly w: number[];
  readonly a: number[];
  readonly c: [number, number];
  readonly s11: number | null;
  readonly ws: number;
  readonly bytes: number;
}

/** Byte offsets of every array in one memory; all 16-byte aligned (rows are multiples of 4 floats). */
function plan(dims: readonly number[], withSigma11: boolean): Layout {
  const D = dims.length - 1;
  const m2 = pad(dims[D], 2);
  const s = dims.map((n) => pad(n, 4));
  let at = 0;
  const take = (floats: number) => {
    const offset = at;
    at += floats * 4;
    return offset;
  };
  const w: number[] = [];
  for (let l = 1; l <= D; l++) w.push(take(s[l] * s[l - 1]));
  const a = s.map((sl) => take(m2 * sl));
  const widest = Math.max(...s);
  const c: [number, number] = [take(m2 * widest), take(m2 * widest)];
  const s11 = withSigma11 ? take(s[0] * s[0]) : null;
  const ws = take(m2 * s[0]);
  return { m2, s, w, a, c, s11, ws, bytes: at };
}
