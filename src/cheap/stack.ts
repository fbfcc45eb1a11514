/**
 * Mehta & Schwab's experiment, step by step: Ising samples from the Wolff sampler, then a
 * stack of RBMs trained greedily by CD-1, each on the hidden states of the one below.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { IsingLattice } from "./ising.ts";
import { SimdRbm } from "./rbm.ts";
import { GpuRbm } from "./gpu_rbm.ts";
import type { Gpu } from "../compute/webgpu/device.ts";
import { type Layer, propagate } from "./rg.ts";

/** sweeps discarded before the first sample (≫ Wolff's few-sweep autocorrelation at T_c) */
export const EQUILIBRATION = 200;

export interface Samples {
  /** count × L² spins, ±1 */
  readonly spins: Int8Array;
  readonly count: number;
  /** per sample, as measured: energy per spin and |m| */
  readonly energy: Float64Array;
  readonly magnetisation: Float64Array;
}

/** `count` configurations of the L × L lattice at `temperature`, one per sweep after equilibrating. */
export async function sampleIsing(
  size: number,
  temperature: number,
  count: number,
  rng: Rng,
  onSample: (k: number, s: Samples) => Promise<void> | void = () => {},
): Promise<Samples> {
  const lattice = new IsingLattice(size, temperature, rng);
  lattice.equilibrate(rng, EQUILIBRATION);
  const n = size * size;
  const s: Samples = {
    spins: new Int8Array(count * n),
    count,
    energy: new Float64Array(count),
    magnetisation: new Float64Array(count),
  };
  for (let k = 0; k < count; k++) {
    lattice.sweep(rng);
    s.spins.set(lattice.spins, k * n);
    s.energy[k] = lattice.energy();
    s.magnetisation[k] = lattice.magnetisation();
    await onSample(k, s);
  }
  return s;
}

export interface StackOptions {
  /** units per layer above the visible one */
  readonly sizes: readonly number[];
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly l1: number;
}

/**
 * Train the stack greedily: layer ℓ on samples of layer ℓ − 1's hidden units given the data
 * (Hinton, Osindero & Teh 2006). `onBatch` gets every batch's reconstruction error. With a
 * WebGPU `device` (the float32 engine's), each layer's CD-1 steps run there (gpu_rbm.ts),
 * else on the SIMD kernels; the draws are the same either way.
 */
export async function trainStack(
  samples: Samples,
  options: StackOptions,
  rng: Rng,
  onBatch: (layer: number, step: number, error: number) => Promise<void> | void,
  device: Gpu | null = null,
): Promise<Layer[]> {
  const layers: Layer[] = [];
  let input = Float32Array.from(samples.spins, (s) => (s + 1) / 2);
  let nv = samples.spins.length / samples.count;
  const count = samples.count - (samples.count % options.batch);
  for (const [l, nh] of options.sizes.entries()) {
    const rbm = device
      ? GpuRbm.create(device, nv, nh, options.batch, rng)
      : await SimdRbm.create(nv, nh, options.batch, rng);
    const means = new Float64Array(nv);
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < nv; i++) means[i] += input[k * nv + i] / count;
    }
    rbm.setVisibleBiases(means);
    let step = 0;
    for (let e = 0; e < options.epochs; e++) {
      for (let k = 0; k < count; k += options.batch) {
        const v = input.subarray(k * nv, (k + options.batch) * nv);
        // Hinton's guide §9: momentum 0.5 while the weights settle, then 0.9
        const error = await rbm.step(v, options.lr, options.l1, e === 0 ? 0.5 : 0.9, rng);
        await onBatch(l + 1, step++, error);
      }
    }
    const layer: Layer = {
      nIn: nv,
      nOut: nh,
      W: Float64Array.from(await rbm.weights()),
      c: Float64Array.from(rbm.c),
    };
    rbm.dispose();
    layers.push(layer);
    const [hidden] = propagate([layer], input, samples.count, rng);
    input = Float32Array.from(hidden, (s) => (s + 1) / 2);
    nv = nh;
  }
  return layers;
}
