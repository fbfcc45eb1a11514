/**
 * The WGSL kernels around the GEMM: activations and their derivatives, the bias step, the
 * loss heads, the minibatch gather. Each is one small module (one entry, one uniform), so a
 * trainer builds its dispatches once and only their order lives in the trainer.
 *
 * Activations are evaluated as the WebAssembly kernels evaluate them, so that the two
 * backends differ only by rounding: tanh as tanh32.ts's rational fit (WGSL's builtin tanh
 * is allowed to overflow to NaN for large |x| on some drivers), erf by Abramowitz–Stegun
 * 7.1.26 (|error| ≤ 1.5e-7, below float32's resolution of the values it feeds).
 *
 * Indices: an elementwise kernel runs over `count` elements laid out as Z blocks of `mn`
 * (a net's rows × columns); block z of a buffer starts at z · stride (the gradient buffers
 * are sized for the widest layer, so their stride is larger than mn). 1-D dispatches are
 * split over (x, y) to stay within 65,535 workgroups a dimension.
 *
 * @module
 */
import { TANH32_CLAMP, TANH32_P, TANH32_Q } from "../tanh32.ts";

export const ACTIVATIONS = ["tanh", "relu", "erf", "linear", "sigmoid", "softplus"] as const;
export type GpuActivation = typeof ACTIVATIONS[number];

const horner = (c: readonly number[], x: string) =>
  c.slice(0, -1).reduceRight((inner, ci) => `(${ci} + ${x} * ${inner})`, `${c[c.length - 1]}`);

/** WGSL functions φ and φ' (given z and a = φ(z)) for every activation. */
export const ACTIVATION_WGSL = /* wgsl */ `
fn tanh32(x: f32) -> f32 {
  let c = clamp(x, -${TANH32_CLAMP}, ${TANH32_CLAMP});
  let x2 = c * c;
  return c * ${horner(TANH32_P, "x2")} / ${horner(TANH32_Q, "x2")};
}
fn erf32(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
    + t * 1.061405429)))) * exp(-x * x);
  return select(-y, y, x >= 0.0);
}
fn sigmoid32(x: f32) -> f32 {
  // never exp of a large positive number
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn softplus32(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
fn phi(kind: u32, z: f32) -> f32 {
  switch kind {
    case 0u: { return tanh32(z); }
    case 1u: { return max(z, 0.0); }
    case 2u: { return erf32(z); }
    case 4u: { return sigmoid32(z); }
    case 5u: { return softplus32(z); }
    default: { return z; }
  }
}
fn dphi(kind: u32, z: f32, a: f32) -> f32 {
  switch kind {
    case 0u: { return 1.0 - a * a; }
    case 1u: { return select(0.0, 1.0, z > 0.0); }
    case 2u: { return 1.1283791670955126 * exp(-z * z); }
    case 4u: { return a * (1.0 - a); }
    case 5u: { return sigmoid32(z); }
    default: { return 1.0; }
  }
}
`;

export const activationCode = (a: GpuActivation): number => ACTIVATIONS.indexOf(a);

const INDEX = /* wgsl */ `
fn flat(g: vec3u) -> u32 { return g.x + g.y * 65535u * 256u; }
`;

/** Workgroups for `count` threads of 256: (x, y) with x ≤ 65,535. */
export function grid(count: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / 256));
  return groups <= 65535 ? [groups, 1] : [65535, Math.ceil(groups / 65535)];
}

/**
 * pre = pre + b (b's block per z, broadcast over rows); act = φ(pre).
 * uniform: count, mn, n, kind
 */
export const BIAS_ACT_WGSL = /* wgsl */ `
${ACTIVATION_WGSL}
${INDEX}
struct P { count: u32, mn: u32, n: u32, kind: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> pre: array<f32>;
@group(0) @binding(2) var<storage, read_write> act: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = flat(g);
  if (i >= p.count) { return; }
  let z = i / p.mn;
  let v = pre[i] + b[z * p.n + i % p.n];
  pre[i] = v;
  act[i] = phi(p.kind, v);
}
`;

/**
 * g (blocks at z · stride) *= φ'(pre, act) (blocks of mn).
 * uniform: count, mn, stride, kind
 */
export const ACT_GRAD_WGSL = /* wgsl */ `
${ACTIVATION_WGSL}
${INDEX}
struct P { count: u32, mn: u32, stride: u32, kind: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<storage, read> pre: array<f32>;
@group(0) @binding(3) var<storage, read> act: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = flat(g);
  if (i >= p.count) { return; }
  let gi = (i / p.mn) * p.stride + i % p.mn;
  grad[gi] = grad[gi] * dphi(p.kind, pre[i], act[i]);
}
`;

/**
 * b[z, j] −= lr · rate[z] · Σ_r g[z · stride + r · n + j]: one thread per (z, j).
 * uniform: nets, rows, n, stride, lr
 */
export const BIAS_STEP_WGSL = /* wgsl */ `
struct P { nets: u32, rows: u32, n: u32, stride: u32, lr: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read> rate: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.nets * p.n) { return; }
  let z = i / p.n;
  let j = i % p.n;
  var s = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) { s = s + grad[z * p.stride + r * p.n + j]; }
  b[i] = b[i] - p.lr * rate[z] * s;
}
`;

/**
 * The loss heads, one thread per (net, row): out is the last layer's (nets × rows × k).
 * Cross-entropy against labels y (nets × rows, integers as floats), or (1/2)|f − t|² against
 * targets y (nets × rows × k). Writes dLoss/dout (mean over rows) into grad (blocks at z ·
 * stride) and each row's loss into rowLoss (nets × rows) for LOSS_SUM_WGSL.
 * uniform: nets, rows, k, stride, squared
 */
export const LOSS_HEAD_WGSL = /* wgsl */ `
struct P { nets: u32, rows: u32, k: u32, stride: u32, squared: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> out: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> rowLoss: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = g.x;
  if (i >= p.nets * p.rows) { return; }
  let z = i / p.rows;
  let r = i % p.rows;
  let o = i * p.k;
  let go = z * p.stride + r * p.k;
  let m = f32(p.rows);
  if (p.squared == 1u) {
    var loss = 0.0;
    for (var j = 0u; j < p.k; j = j + 1u) {
      let e = out[o + j] - y[o + j];
      loss = loss + e * e / 2.0;
      grad[go + j] = e / m;
    }
    rowLoss[i] = loss;
    return;
  }
  let label = u32(y[i]);
  var mx = out[o];
  for (var j = 1u; j < p.k; j = j + 1u) { mx = max(mx, out[o + j]); }
  var sum = 0.0;
  for (var j = 0u; j < p.k; j = j + 1u) { sum = sum + exp(out[o + j] - mx); }
  rowLoss[i] = log(sum) + mx - out[o + label];
  for (var j = 0u; j < p.k; j = j + 1u) {
    grad[go + j] = (exp(out[o + j] - mx) / sum - select(0.0, 1.0, j == label)) / m;
  }
}
`;

/**
 * losses[slot · nets + z] = mean over rows of rowLoss[z, ·]: one thread per net. The slot is
 * read from a storage word the trainer advances (a ring of steps read back together).
 * uniform: nets, rows
 */
export const LOSS_SUM_WGSL = /* wgsl */ `
struct P { nets: u32, rows: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> rowLoss: array<f32>;
@group(0) @binding(2) var<storage, read_write> losses: array<f32>;
@group(0) @binding(3) var<storage, read> slot: array<u32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let z = g.x;
  if (z >= p.nets) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r = r + 1u) { s = s + rowLoss[z * p.rows + r]; }
  losses[slot[0] * p.nets + z] = s / f32(p.rows);
}
`;

/**
 * dst[z, r, c] = src[idx[z · rows + r], c] (cols columns): each net's minibatch from the
 * training rows that live on the GPU, so a step uploads indices, not images.
 * uniform: count, rows, cols
 */
export const GATHER_WGSL = /* wgsl */ `
${INDEX}
struct P { count: u32, rows: u32, cols: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3u) {
  let i = flat(g);
  if (i >= p.count) { return; }
  let row = i / p.cols;
  dst[i] = src[idx[row] * p.cols + i % p.cols];
}
`;

/** A uniform's words from u32s and (where `floats` marks them) f32s. */
export function words(values: readonly number[], floats: readonly number[] = []): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((values.length * 4) / 16) * 16));
  const u = new Uint32Array(buf), f = new Float32Array(buf);
  values.forEach((v, i) => (floats.includes(i) ? (f[i] = v) : (u[i] = v)));
  return buf;
}
