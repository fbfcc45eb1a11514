/**
 * The random network that the length and correlation maps predict (THEORY.md
 * §1): h^l = W^l φ(h^{l−1}) + b^l, W_ij ~ N(0, σw²/N), b_i ~ N(0, σb²), simulated
 * in float32: on the float32 SIMD kernels (src/compute/simd_kernels.ts's rowmat) when the
 * run's backend is wasm — tfjs-wasm repacks every fresh W for XNNPACK, 21 ms a layer at
 * width 1000 against 3 ms — else with TensorFlow.js on the run's backend. Layer 0 holds the inputs:
 * `pairs` pairs of vectors, each of length exactly |h|²/N = q0, each pair at
 * correlation exactly c0; `draws` independent networks are averaged.
 *
 * @module
 */
import type { Tf } from "../compute/backend.ts";
import { instantiateKernels } from "../compute/simd_kernels.ts";
import { activation } from "./activations.ts";
import { NormalMatrices } from "../random/normal_matrices.ts";
import type { Rng } from "../random/rng.ts";
import { RunError } from "../runtime/pipeline.ts";
import type { ActivationName } from "./activations.ts";

export interface NetworkSpec {
  readonly activation: ActivationName;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly width: number;
  readonly depth: number;
  readonly q0: number;
  readonly c0: number;
  readonly pairs: number;
  readonly draws: number;
}

/** Per layer: q = mean h² over units and inputs, c = mean correlation over pairs, both averaged over draws. */
export interface LayerStats {
  readonly layer: number;
  readonly q: number;
  readonly c: number;
}

type Tensor2D = ReturnType<Tf["tensor2d"]>;

function phi(tf: Tf, name: ActivationName, x: Tensor2D): Tensor2D {
  switch (name) {
    case "tanh":
      return tf.tanh(x);
    case "relu":
      return tf.relu(x);
    case "erf":
      return tf.erf(x);
    case "linear":
      return x;
    case "hard-tanh":
      return tf.clipByValue(x, -1, 1);
  }
}

/** Inputs [2·pairs, N]: rows 2p and 2p+1 have |h|² = N q0 and correlation c0 (Gram–Schmidt). */
function inputs(spec: NetworkSpec, rng: Rng): Float32Array {
  const n = spec.width;
  const out = new Float32Array(2 * spec.pairs * n);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const scale = Math.sqrt(n * spec.q0);
  const s = Math.sqrt(1 - spec.c0 * spec.c0);
  for (let p = 0; p < spec.pairs; p++) {
    rng.fillNormal(a);
    rng.fillNormal(b);
    let aa = 0;
    for (let i = 0; i < n; i++) aa += a[i] * a[i];
    const na = Math.sqrt(aa);
    let ab = 0;
    for (let i = 0; i < n; i++) ab += (a[i] / na) * b[i];
    let bb = 0;
    for (let i = 0; i < n; i++) {
      b[i] -= ab * (a[i] / na);
      bb += b[i] * b[i];
    }
    const nb = Math.sqrt(bb);
    for (let i = 0; i < n; i++) {
      const u = a[i] / na;
      const v = b[i] / nb;
      out[2 * p * n + i] = scale * u;
      out[(2 * p + 1) * n + i] = scale * (spec.c0 * u + s * v);
    }
  }
  return out;
}

/** Layer statistics of a batch [2·pairs, N]: mean h², and mean correlation within pairs. */
function stats(tf: Tf, h: Tensor2D, pairs: number, n: number): [number, number] {
  const out = tf.tidy(() => {
    const q = tf.mean(tf.square(h));
    const x = h.reshape([pairs, 2, n]);
    const dot = tf.sum(tf.prod(x, 1), 1);
    const norms = tf.sqrt(tf.prod(tf.sum(tf.square(x), 2), 1));
    const c = tf.mean(tf.div(dot, norms));
    return tf.stack([q, c]);
  });
  const [q, c] = out.dataSync();
  out.dispose();
  return [q, c];
}

/** Layer l's statistics, or the run's error where float32 overflowed. */
function checked(layer: number, q: number, c: number): LayerStats {
  if (!Number.isFinite(q) || !Number.isFinite(c)) {
    throw new RunError(
      `simulation diverged at layer ${layer}: q = ${q}, c = ${c} (float32 overflow)`,
      { layer },
    );
  }
  return { layer, q, c };
}

/** What multiplies by W: the float32 SIMD kernels, or tfjs on its backend. */
export type NetworkKernels = "simd" | "tfjs";

/**
 * Propagate the inputs through `draws` networks, one layer at a time for all
 * draws, yielding each layer's statistics as soon as it is computed. Weights
 * are drawn in TypeScript (a ziggurat) from a seed taken from the run's Rng,
 * so a seed gives the same network on every backend and on both kernels.
 */
export function simulateNetwork(
  tf: Tf,
  spec: NetworkSpec,
  rng: Rng,
  tick: () => Promise<void>,
  kernels: NetworkKernels = "tfjs",
): AsyncGenerator<LayerStats> {
  return kernels === "simd" ? simulateSimd(spec, rng, tick) : simulateTf(tf, spec, rng, tick);
}

/** Layer statistics of a batch [2·pairs, N] with rows `stride` apart, in float64. */
function statsOf(h: Float32Array, pairs: number, n: number, stride: number): [number, number] {
  let q = 0, c = 0;
  for (let p = 0; p < pairs; p++) {
    const a = 2 * p * stride, b = a + stride;
    let aa = 0, bb = 0, ab = 0;
    for (let i = 0; i < n; i++) {
      aa += h[a + i] * h[a + i];
      bb += h[b + i] * h[b + i];
      ab += h[a + i] * h[b + i];
    }
    q += aa + bb;
    c += ab / Math.sqrt(aa * bb);
  }
  return [q / (2 * pairs * n), c / pairs];
}

async function* simulateSimd(
  spec: NetworkSpec,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<LayerStats> {
  const n = spec.width;
  const rows = 2 * spec.pairs;
  const n4 = Math.ceil(n / 4) * 4; // rowmat's rows are whole float32 × 4 vectors: zero pads
  const phi = activation(spec.activation).phi;
  const x0 = inputs(spec, rng);
  // h of each draw, rows n4 apart (pads zero); in the kernels' memory: φ(h), W, W·φ(h)
  const hs = Array.from({ length: spec.draws }, () => {
    const h = new Float32Array(rows * n4);
    for (let r = 0; r < rows; r++) h.set(x0.subarray(r * n, (r + 1) * n), r * n4);
    return h;
  });
  const k = await instantiateKernels(4 * (2 * rows * n4 + n4 * n4));
  const aAt = 0, wAt = 4 * rows * n4, outAt = wAt + 4 * n4 * n4;
  const mem = new Float32Array(k.memory.buffer);
  const a = mem.subarray(aAt / 4, aAt / 4 + rows * n4);
  const wMem = mem.subarray(wAt / 4, wAt / 4 + n4 * n4);
  const out = mem.subarray(outAt / 4, outAt / 4 + rows * n4);
  const weights = new NormalMatrices(rng.int32() >>> 0, n * n, Math.sqrt(spec.sigma_w2 / n));
  try {
    yield { layer: 0, q: spec.q0, c: spec.c0 };
    const bStd = Math.sqrt(spec.sigma_b2);
    const bias = new Float32Array(n);
    for (let l = 1; l <= spec.depth; l++) {
      let q = 0;
      let c = 0;
      for (const h of hs) {
        // as the tfjs path: rows of h times a W drawn [N_in, N_out] (Wᵀ has W's law)
        const w = await weights.next();
        if (bStd > 0) rng.fillNormal(bias, bStd);
        for (let r = 0; r < rows; r++) {
          for (let i = r * n4; i < r * n4 + n; i++) a[i] = phi(h[i]);
        }
        for (let i = 0; i < n; i++) wMem.set(w.subarray(i * n, (i + 1) * n), i * n4);
        k.rowmat(aAt, rows, wAt, n4, n4, outAt);
        for (let r = 0; r < rows; r++) {
          for (let i = 0; i < n; i++) h[r * n4 + i] = out[r * n4 + i] + bias[i];
        }
        const [qi, ci] = statsOf(h, spec.pairs, n, n4);
        q += qi / spec.draws;
        c += ci / spec.draws;
        await tick();
      }
      yield checked(l, q, c);
    }
  } finally {
    weights.close();
  }
}

async function* simulateTf(
  tf: Tf,
  spec: NetworkSpec,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<LayerStats> {
  const n = spec.width;
  const rows = 2 * spec.pairs;
  const x0 = inputs(spec, rng);
  let hs: Tensor2D[] = Array.from({ length: spec.draws }, () => tf.tensor2d(x0, [rows, n]));
  // Weights come from a worker seeded by this run's Rng (same seed, same network).
  const weights = new NormalMatrices(rng.int32() >>> 0, n * n, Math.sqrt(spec.sigma_w2 / n));
  try {
    yield { layer: 0, q: spec.q0, c: spec.c0 };
    const bStd = Math.sqrt(spec.sigma_b2);
    for (let l = 1; l <= spec.depth; l++) {
      let q = 0;
      let c = 0;
      const next: Tensor2D[] = [];
      for (const h of hs) {
        // W is i.i.d., so Wᵀ has the same law: draw [N_in, N_out] and multiply rows by it.
        const w = await weights.next();
        const bias = new Float32Array(n);
        if (bStd > 0) rng.fillNormal(bias, bStd);
        const hNext = tf.tidy(() => {
          const W = tf.tensor2d(w, [n, n]);
          return tf.add(tf.matMul(phi(tf, spec.activation, h), W), tf.tensor1d(bias)) as Tensor2D;
        });
        h.dispose();
        next.push(hNext);
        const [qi, ci] = stats(tf, hNext, spec.pairs, n);
        q += qi / spec.draws;
        c += ci / spec.draws;
        await tick();
      }
      hs = next;
      yield checked(l, q, c);
    }
  } finally {
    weights.close();
    for (const h of hs) if (!h.isDisposed) h.dispose();
  }
}
