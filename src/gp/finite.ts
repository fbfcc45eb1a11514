/**
 * Finite networks against their kernel (Lee et al. 2019, "Wide neural networks of any depth
 * evolve as linear models"): a net of width N in the NTK parametrisation,
 *
 *   h¹ = (σw/√d) W¹x + σb b¹,  h^l = (σw/√N) W^l φ(h^{l−1}) + σb b^l,  f = (σw/√N) W φ(h^L) + σb b,
 *
 * every W and b standard normal, trained by full-batch gradient descent on the squared loss
 * (1/2n) Σ |f(x) − f₀(x) − y|². The initial function f₀ (a draw from the NNGP prior, O(1)
 * whatever N) is subtracted so the trained net has a limit: as N → ∞ it follows the linear
 * model of its NTK Θ (THEORY.md §6) at every step,
 *
 *   f_t(x*) = Θ(x*, X) Θ⁻¹ [I − (I − ηΘ/n)^t] Y,
 *
 * and the distance between the two falls like 1/√N.
 *
 * @module
 */
import { type MlpActivation, ntkRates } from "../compute/simd_mlp.ts";
import { type Float32Engine, WASM_ENGINE } from "../compute/float32.ts";
import type { Rng } from "../random/rng.ts";
import type { ActivationName } from "../signal/activations.ts";
import { symmetricEigen } from "../numerics/symmetric_eigen.ts";
import { largestEigenvalue } from "../numerics/cholesky.ts";
import type { Labelled } from "../linear/mnist.ts";
import { CLASSES, targets } from "./regression.ts";
import type { KernelBlocks } from "./kernel.ts";

export interface FiniteSpec {
  readonly activation: ActivationName;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly depth: number;
  readonly width: number;
  readonly steps: number;
  /** η of the loss above */
  readonly lr: number;
}

/**
 * The kernel's prediction after t gradient-descent steps of rate η on n examples (the
 * module note), at the test inputs: m × 10.
 */
export function ntkAtStep(
  ntk: KernelBlocks,
  y: Float64Array,
  n: number,
  m: number,
  lr: number,
  t: number,
): Float64Array {
  const { values, vectors } = symmetricEigen(ntk.train, n, true);
  const u = vectors!;
  // coefficients α = U diag((1 − (1 − ηλ/n)^t)/λ) Uᵀ Y
  const proj = new Float64Array(n * CLASSES);
  for (let e = 0; e < n; e++) {
    const lam = values[e];
    const g = lam > 0 ? (1 - Math.pow(1 - (lr * lam) / n, t)) / lam : (lr * t) / n;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += u[e * n + i] * y[i * CLASSES + c];
      proj[e * CLASSES + c] = g * s;
    }
  }
  const alpha = new Float64Array(n * CLASSES);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < n; i++) {
      const v = u[e * n + i];
      for (let c = 0; c < CLASSES; c++) alpha[i * CLASSES + c] += v * proj[e * CLASSES + c];
    }
  }
  const out = new Float64Array(m * CLASSES);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = ntk.cross[i * n + j];
      for (let c = 0; c < CLASSES; c++) out[i * CLASSES + c] += k * alpha[j * CLASSES + c];
    }
  }
  return out;
}

/** The largest eigenvalue of Θ(X, X): the rate η = n/λ_max makes the fastest mode settle in one step. */
export function largestNtkEigenvalue(ntk: KernelBlocks, n: number): number {
  return largestEigenvalue(ntk.train, n);
}

/**
 * Train one net (the module note) by full-batch gradient descent on the float32 engine
 * (src/compute/float32.ts: the SIMD kernels, or WebGPU; NTK rates); returns its centred test
 * outputs f − f₀ (m × 10). Losses are read every LOSS_CHECK steps (on a GPU a read waits for
 * the queue): a divergence is named at its first non-finite step.
 */
export async function trainFinite(
  spec: FiniteSpec,
  train: Labelled,
  test: Labelled,
  rng: Rng,
  tick: () => Promise<void>,
  onStep?: (step: number) => void,
  engine: Float32Engine = WASM_ENGINE,
): Promise<Float64Array> {
  const n = train.y.length;
  const shape = {
    inputs: 784,
    outputs: CLASSES,
    width: spec.width,
    depth: spec.depth,
    sigma_w2: spec.sigma_w2,
    sigma_b2: spec.sigma_b2,
    batch: n,
    activation: spec.activation as MlpActivation,
    loss: "squared" as const,
  };
  const nets = await engine.mlps([{ ...shape, rates: ntkRates(shape) }], [rng]);
  try {
    // the target is y + f₀(x): the net learns f − f₀
    const y = targets(train.y);
    const [f0Train] = await nets.outputs(train.x);
    const target = f0Train.map((f0, i) => f0.map((v, c) => v + y[i * CLASSES + c]));
    const [f0Test] = await nets.outputs(test.x);
    nets.bind(train.x, target);
    const all = [Uint32Array.from({ length: n }, (_, i) => i)];
    let checked = 0;
    for (let s = 1; s <= spec.steps; s++) {
      nets.step(all, spec.lr);
      if (s % LOSS_CHECK === 0 || s === spec.steps) {
        const [losses] = await nets.losses();
        const bad = losses.findIndex((l) => !Number.isFinite(l));
        if (bad >= 0) {
          throw new RangeError(`the width-${spec.width} net diverged at step ${checked + bad + 1}`);
        }
        checked = s;
      }
      onStep?.(s);
      await tick();
    }
    const [fTest] = await nets.outputs(test.x);
    const out = new Float64Array(test.y.length * CLASSES);
    fTest.forEach((f, i) => {
      for (let c = 0; c < CLASSES; c++) out[i * CLASSES + c] = f[c] - f0Test[i][c];
    });
    return out;
  } finally {
    nets.dispose();
  }
}

/** Steps between reads of the losses (the divergence check). */
const LOSS_CHECK = 10;

/** |a − b| / |b| over all entries: how far a net's outputs are from the kernel's. */
export function relativeDistance(a: Float64Array, b: Float64Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return Math.sqrt(num / den);
}
