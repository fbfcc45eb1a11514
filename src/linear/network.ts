/**
 * A deep linear network W_D ⋯ W_1 trained by full-batch gradient descent on
 * L = ½ Σ_μ ‖y_μ − W_tot x_μ‖², exactly as Saxe et al. (2014): the data enter
 * only through Σ31 = Σ y xᵀ and Σ11 = Σ x xᵀ (identity for one-hot items), so
 * a step costs O(D · n_D · n²) however many examples there are.
 *
 * With E = Σ31 − W_tot Σ11, A_l = W_D ⋯ W_{l+1} and B_l = W_l ⋯ W_1, the descent
 * direction for W_l is A_lᵀ E B_{l−1}ᵀ; E B_lᵀ is carried up the layers as
 * C_l = C_{l−1} W_lᵀ, and A_l down them, so no n × n_0 product is ever formed.
 *
 * @module
 */
import type { Tensor } from "@tensorflow/tfjs";
import type { Tf } from "../compute/backend.ts";

export interface StepResult {
  /** loss before the step */
  readonly loss: number;
  /** ‖W_l‖_F after the step, l = 1…D */
  readonly norms: readonly number[];
  /** ‖ΔW_l‖_F of the step */
  readonly updates: readonly number[];
}

export class LinearNet {
  #w: Tensor[];
  readonly #sigma31: Tensor;
  readonly #sigma11: Tensor | null;
  /** ½ tr Σ33, so the loss is exact (the loss of the zero network) */
  readonly #halfTrace33: number;

  /** weights row-major, W_l of dims[l] × dims[l−1]; sigma11 null for one-hot inputs (Σ11 = I). */
  constructor(
    readonly tf: Tf,
    readonly dims: readonly number[],
    weights: readonly Float64Array[],
    sigma31: Float64Array,
    sigma11: Float64Array | null,
    trace33: number,
  ) {
    const d = dims[0];
    const f = dims[dims.length - 1];
    this.#w = weights.map((w, i) => tf.tensor2d(Float32Array.from(w), [dims[i + 1], dims[i]]));
    this.#sigma31 = tf.tensor2d(Float32Array.from(sigma31), [f, d]);
    this.#sigma11 = sigma11 ? tf.tensor2d(Float32Array.from(sigma11), [d, d]) : null;
    this.#halfTrace33 = trace33 / 2;
  }

  get depth(): number {
    return this.#w.length;
  }

  /** W_tot = W_D ⋯ W_1 (outputs × inputs). The caller disposes it. */
  total(): Tensor {
    return this.tf.tidy(() =>
      this.#w.reduceRight((acc: Tensor | null, w) => (acc ? acc.matMul(w) : w.clone()), null)!
    );
  }

  /** B_{D−1} = W_{D−1} ⋯ W_1: the last hidden layer's representation of each one-hot item (columns). */
  hidden(): Tensor {
    return this.tf.tidy(() =>
      this.#w.slice(0, -1).reduceRight(
        (acc: Tensor | null, w) => (acc ? acc.matMul(w) : w.clone()),
        null,
      )!
    );
  }

  /** One step of gradient descent at rate lr. */
  step(lr: number, measureNorms: boolean): StepResult {
    const { tf } = this;
    const D = this.#w.length;
    const result = tf.tidy(() => {
      // A_l = W_D ⋯ W_{l+1}, top down; A_D is the identity (kept as null).
      const A: (Tensor | null)[] = new Array(D + 1).fill(null);
      for (let l = D - 1; l >= 0; l--) A[l] = A[l + 1] ? A[l + 1]!.matMul(this.#w[l]) : this.#w[l];
      const wTot = A[0]!;
      const e = this.#sigma11
        ? this.#sigma31.sub(wTot.matMul(this.#sigma11))
        : this.#sigma31.sub(wTot);
      // L = ½ tr Σ33 − tr(Σ31ᵀ W) + ½ tr(W Σ11 Wᵀ)
      const loss = this.#sigma11
        ? tf.scalar(this.#halfTrace33).sub(tf.sum(this.#sigma31.mul(wTot))).add(
          tf.sum(wTot.matMul(this.#sigma11).mul(wTot)).div(2),
        )
        : tf.sum(tf.square(e)).div(2);
      // C_l = E B_lᵀ is carried transposed, Cᵀ_l = W_l Cᵀ_{l−1}, so every product reads
      // W_l as stored: tfjs-wasm's matMul with transposeB, or an explicit 1000 × 1000
      // transpose, costs more than the rest of the layer (docs/benchmarks.md).
      let ct = e.transpose(); // Cᵀ_0 = Eᵀ
      const next: Tensor[] = [];
      const measures: Tensor[] = [loss];
      for (let l = 1; l <= D; l++) {
        const w = this.#w[l - 1];
        const a = A[l];
        const c = ct;
        // Its own scope, so each n × n step ΔW is freed before the next layer's is made:
        // kept to the end of the step, a depth-100 net holds 3 × 400 MB and ran 1.7× slower.
        const kept = tf.tidy(() => {
          // λ A_lᵀ C_{l−1}, with λ applied to the thin factor rather than the n × n product
          const delta = a ? a.transpose().mul(lr).matMul(c.transpose()) : c.transpose().mul(lr);
          const updated = w.add(delta);
          return measureNorms ? [updated, tf.norm(delta), tf.norm(updated)] : [updated];
        });
        next.push(kept[0]);
        measures.push(...kept.slice(1));
        ct = w.matMul(c);
      }
      return { next, stats: tf.stack(measures) };
    });
    for (const w of this.#w) w.dispose();
    this.#w = result.next;
    const stats = result.stats.dataSync();
    result.stats.dispose();
    const updates: number[] = [];
    const norms: number[] = [];
    for (let l = 0; measureNorms && l < D; l++) {
      updates.push(stats[1 + 2 * l]);
      norms.push(stats[2 + 2 * l]);
    }
    return { loss: stats[0], norms, updates };
  }

  dispose(): void {
    for (const w of this.#w) w.dispose();
    this.#sigma31.dispose();
    this.#sigma11?.dispose();
  }
}
