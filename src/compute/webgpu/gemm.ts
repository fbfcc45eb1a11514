/**
 * The tiled float32 GEMM in WGSL, batched: for each z of a dispatch,
 *
 *   C_z = s · α_z · op(A_z) op(B_z) + β · C_z,    op(X) = X or Xᵀ,
 *
 * C_z M × N, the inner dimension K, every matrix row-major at its own offset and z-stride in
 * its own buffer. α_z comes from a storage array (a learning rate per net: the MLP's weight
 * update is this product with β = 1 and s = −η), s and β from the dispatch's uniform.
 *
 * Each workgroup (16 × 16 threads) computes a 64 × 64 block of C, each thread 4 × 4 of it at
 * stride 16 (so that a warp's writes and shared-memory reads are contiguous), stepping K by
 * 16 through two shared tiles of 16 × 64. The transposes only change how a tile is loaded:
 * a thread loads four elements of each tile per K-step, along the operand's contiguous axis.
 * Edges are guarded, so any M, N, K work (tested at odd sizes against float64).
 *
 * @module
 */
import type { Encode, Gpu } from "./device.ts";

export const GEMM_WGSL = /* wgsl */ `
struct P {
  M: u32, N: u32, K: u32, lda: u32,
  ldb: u32, ldc: u32, strideA: u32, strideB: u32,
  strideC: u32, offA: u32, offB: u32, offC: u32,
  transA: u32, transB: u32, beta: f32, scale: f32,
}
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<storage, read> alpha: array<f32>;

var<workgroup> As: array<f32, 1024>; // [k][m], 16 × 64
var<workgroup> Bs: array<f32, 1024>; // [k][n], 16 × 64

// A's element (m, k) of op(A): A[m, k], or A[k, m] when transposed
fn loadA(z: u32, m: u32, k: u32) -> f32 {
  if (m >= p.M || k >= p.K) { return 0.0; }
  let base = p.offA + z * p.strideA;
  if (p.transA == 0u) { return A[base + m * p.lda + k]; }
  return A[base + k * p.lda + m];
}
fn loadB(z: u32, k: u32, n: u32) -> f32 {
  if (k >= p.K || n >= p.N) { return 0.0; }
  let base = p.offB + z * p.strideB;
  if (p.transB == 0u) { return B[base + k * p.ldb + n]; }
  return B[base + n * p.ldb + k];
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let z = wg.z;
  let m0 = wg.y * 64u;
  let n0 = wg.x * 64u;
  let tid = l.y * 16u + l.x;
  var acc: array<f32, 16>;
  for (var k0 = 0u; k0 < p.K; k0 = k0 + 16u) {
    for (var e = 0u; e < 4u; e = e + 1u) {
      let idx = tid + e * 256u;
      // along the operand's contiguous axis: k for A, m for Aᵀ (and n for B, k for Bᵀ)
      var kk: u32; var mm: u32;
      if (p.transA == 0u) { kk = idx % 16u; mm = idx / 16u; } else { mm = idx % 64u; kk = idx / 64u; }
      As[kk * 64u + mm] = loadA(z, m0 + mm, k0 + kk);
      var kb: u32; var nn: u32;
      if (p.transB == 0u) { nn = idx % 64u; kb = idx / 64u; } else { kb = idx % 16u; nn = idx / 16u; }
      Bs[kb * 64u + nn] = loadB(z, k0 + kb, n0 + nn);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      var a: array<f32, 4>;
      var b: array<f32, 4>;
      for (var i = 0u; i < 4u; i = i + 1u) {
        a[i] = As[kk * 64u + l.y + 16u * i];
        b[i] = Bs[kk * 64u + l.x + 16u * i];
      }
      for (var i = 0u; i < 4u; i = i + 1u) {
        for (var j = 0u; j < 4u; j = j + 1u) {
          acc[i * 4u + j] = fma(a[i], b[j], acc[i * 4u + j]);
        }
      }
    }
    workgroupBarrier();
  }
  let s = p.scale * alpha[z];
  let base = p.offC + z * p.strideC;
  for (var i = 0u; i < 4u; i = i + 1u) {
    let m = m0 + l.y + 16u * i;
    if (m >= p.M) { continue; }
    for (var j = 0u; j < 4u; j = j + 1u) {
      let n = n0 + l.x + 16u * j;
      if (n >= p.N) { continue; }
      let c = base + m * p.ldc + n;
      if (p.beta == 0.0) { C[c] = s * acc[i * 4u + j]; } else { C[c] = s * acc[i * 4u + j] + p.beta * C[c]; }
    }
  }
}
`;

export interface GemmShape {
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** op(A) = Aᵀ: A is stored K × M */
  readonly transA?: boolean;
  /** op(B) = Bᵀ: B is stored N × K */
  readonly transB?: boolean;
  /** how many products (z); each operand's z-stride in floats (0: shared by all z) */
  readonly batch?: number;
  readonly strideA?: number;
  readonly strideB?: number;
  readonly strideC?: number;
  /** row strides; default the tight ones */
  readonly lda?: number;
  readonly ldb?: number;
  readonly ldc?: number;
  readonly offA?: number;
  readonly offB?: number;
  readonly offC?: number;
  readonly beta?: number;
  readonly scale?: number;
}

/**
 * One product, its uniform and bind group made once (a trainer encodes the same products
 * every step, so nothing is allocated in the loop): `encode(pass)` records it.
 */
export class GemmOp {
  readonly #group: GPUBindGroup;
  readonly #pipeline: GPUComputePipeline;
  readonly #grid: [number, number, number];
  readonly #uniform: GPUBuffer;
  readonly #words: ArrayBuffer;

  constructor(
    readonly gpu: Gpu,
    shape: GemmShape,
    a: GPUBuffer,
    b: GPUBuffer,
    c: GPUBuffer,
    alpha: GPUBuffer,
  ) {
    const z = shape.batch ?? 1;
    const tA = shape.transA ?? false, tB = shape.transB ?? false;
    this.#words = new ArrayBuffer(64);
    const u = new Uint32Array(this.#words), f = new Float32Array(this.#words);
    u.set([
      shape.M,
      shape.N,
      shape.K,
      shape.lda ?? (tA ? shape.M : shape.K),
      shape.ldb ?? (tB ? shape.K : shape.N),
      shape.ldc ?? shape.N,
      shape.strideA ?? 0,
      shape.strideB ?? 0,
      shape.strideC ?? 0,
      shape.offA ?? 0,
      shape.offB ?? 0,
      shape.offC ?? 0,
      tA ? 1 : 0,
      tB ? 1 : 0,
    ]);
    f[14] = shape.beta ?? 0;
    f[15] = shape.scale ?? 1;
    this.#uniform = gpu.uniform(this.#words);
    this.#pipeline = gpu.pipeline(GEMM_WGSL);
    this.#group = gpu.bindGroup(this.#pipeline, [this.#uniform, a, b, c, alpha]);
    this.#grid = [Math.ceil(shape.N / 64), Math.ceil(shape.M / 64), z];
  }

  /** Change s (the uniform's scale) for the products submitted from now on. */
  setScale(scale: number): void {
    new Float32Array(this.#words)[15] = scale;
    this.gpu.device.queue.writeBuffer(this.#uniform, 60, this.#words, 60, 4);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.gpu.dispatch(pass, this.#pipeline, this.#group, ...this.#grid);
  }
}

/** A product that is never rescaled, as an Encode (a trainer's step lists them with kernels). */
export function gemmStep(
  gpu: Gpu,
  shape: GemmShape,
  a: GPUBuffer,
  b: GPUBuffer,
  c: GPUBuffer,
  alpha: GPUBuffer,
): Encode {
  const op = new GemmOp(gpu, shape, a, b, c, alpha);
  return (pass) => op.encode(pass);
}

/**
 * C = op(A) op(B) for one pair of host matrices (row-major float32), on the GPU: the bench's
 * and the tests' entry (a trainer keeps its operands on the GPU and uses GemmOp).
 */
export async function gemm(
  gpu: Gpu,
  a: Float32Array<ArrayBuffer>,
  b: Float32Array<ArrayBuffer>,
  shape: Omit<GemmShape, "batch" | "beta">,
): Promise<Float32Array> {
  const A = gpu.storage(a.length, a), B = gpu.storage(b.length, b);
  const C = gpu.storage(shape.M * shape.N), one = gpu.storage(1, new Float32Array([1]));
  const op = new GemmOp(gpu, shape, A, B, C, one);
  const enc = gpu.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  op.encode(pass);
  pass.end();
  gpu.device.queue.submit([enc.finish()]);
  const [c] = await gpu.read([{ buffer: C, floats: shape.M * shape.N }]);
  for (const buf of [A, B, C, one]) buf.destroy();
  return c;
}
