/**
 * The NNGP kernel K and the neural tangent kernel Θ of a deep fully connected net between
 * every pair of inputs (THEORY.md §6; Lee et al. 2018, Eq. 4; Jacot et al. 2018):
 *
 *   K⁰ = σb² + σw² x·x'/d,   K^l = σb² + σw² E[φ(z)φ(z')],   Θ⁰ = K⁰,
 *   Θ^l = K^l + σw² E[φ'(z)φ'(z')] Θ^{l−1},   (z, z') ~ N(0, K^{l−1} on {x, x'}),
 *
 * for L hidden layers: the output's kernels are K^L and Θ^L. Inputs have equal length
 * (|x|²/d = 1, src/linear/mnist.ts), so every diagonal entry of K^l is the same q_l — the
 * length map of src/signal — and each layer acts entry by entry on the correlation
 * c = K^{l−1}/q_{l−1} through one LayerMap (layer_map.ts): the covariance map that
 * signal-propagation iterates for one pair, applied to every pair.
 *
 * @module
 */
import { activation, type ActivationName } from "../signal/activations.ts";
import { layerMap } from "./layer_map.ts";
import { f64Pool } from "../compute/f64/mod.ts";
import { layerStep } from "../compute/f64/entrywise.ts";
import { ResidentKernel } from "../compute/f64/resident.ts";

/** From this many entries a started kernel pool maps them (below, one thread is as quick). */
const POOL_MIN_ENTRIES = 1 << 16;

export interface KernelSpec {
  readonly activation: ActivationName;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  /** L, hidden layers */
  readonly depth: number;
}

/** A kernel between n training inputs and m test inputs. */
export interface KernelBlocks {
  /** n × n, row-major */
  readonly train: Float64Array;
  /** m × n: test rows against training columns */
  readonly cross: Float64Array;
  /** K(x*, x*) for each test input (one number: the inputs have equal length) */
  readonly diag: number;
}

/** How a layer's kernel looks: the training pairs' correlations against the c-map. */
export interface LayerSummary {
  readonly layer: number;
  /** the diagonal q_l */
  readonly q: number;
  readonly mean_correlation: number;
  readonly std_correlation: number;
}

/**
 * K^L and Θ^L from the inputs' dot products x·x'/d (train n × n, cross m × n; all inputs
 * at |x|²/d = 1), with a summary of K at every layer 0…L.
 */
export function deepKernels(
  spec: KernelSpec,
  dots: { train: Float64Array; cross: Float64Array },
  n: number,
  withNtk = true,
): { nngp: KernelBlocks; ntk: KernelBlocks | null; layers: LayerSummary[] } {
  const act = activation(spec.activation);
  const { sigma_w2: w, sigma_b2: b } = spec;
  const first = (d: number) => b + w * d;
  const kTrain = dots.train.map(first), kCross = dots.cross.map(first);
  // Θ⁰ = K⁰; without the NTK these stay empty and untouched
  const tTrain = withNtk ? kTrain.slice() : new Float64Array(),
    tCross = withNtk ? kCross.slice() : new Float64Array();
  let q = b + w;
  let tDiag = q;
  const layers: LayerSummary[] = [summary(0, q, kTrain, n)];
  // on the kernel pool (every core) when one is started and the matrices are large: the same
  // arithmetic per entry (layerStep), so the same bits
  const pool = f64Pool();
  const resident = pool && kTrain.length + kCross.length >= POOL_MIN_ENTRIES
    ? new ResidentKernel(pool, [kTrain, kCross], withNtk ? [tTrain, tCross] : null)
    : null;
  for (let l = 1; l <= spec.depth; l++) {
    const map = layerMap(act, q);
    if (resident) resident.step(map.spec, b, w);
    else {
      layerStep(map.spec, kTrain, withNtk ? tTrain : null, 0, kTrain.length, b, w);
      layerStep(map.spec, kCross, withNtk ? tCross : null, 0, kCross.length, b, w);
    }
    const qNext = b + w * map.pair(1);
    tDiag = qNext + w * map.slope(1) * tDiag;
    q = qNext;
    layers.push(summary(l, q, resident ? resident.part(0) : kTrain, n));
  }
  resident?.copyOut();
  return {
    nngp: { train: kTrain, cross: kCross, diag: q },
    ntk: withNtk ? { train: tTrain, cross: tCross, diag: tDiag } : null,
    layers,
  };
}

function summary(layer: number, q: number, k: Float64Array, n: number): LayerSummary {
  let s = 0, s2 = 0, count = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const c = k[i * n + j] / q;
      s += c;
      s2 += c * c;
      count++;
    }
  }
  const mean = count ? s / count : 1;
  return {
    layer,
    q,
    mean_correlation: mean,
    std_correlation: count ? Math.sqrt(Math.max(0, s2 / count - mean * mean)) : 0,
  };
}

/** The leading n × n block of an N × N row-major matrix (a nested training subset). */
export function leadingBlock(a: Float64Array, big: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out.set(a.subarray(i * big, i * big + n), i * n);
  return out;
}

/** The first n columns of an m × N row-major matrix. */
export function leadingColumns(a: Float64Array, m: number, big: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) out.set(a.subarray(i * big, i * big + n), i * n);
  return out;
}
