/**
 * First-order training for the landscape experiments: Adam on the full batch
 * (to walk along a training trajectory and take starting points from it) and
 * plain minibatch SGD (the optimizer whose plateaus Dauphin et al. show).
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { TanhMlp } from "./mlp.ts";
import { Adam } from "../optim/adam.ts";

/** `steps` full-batch Adam steps from θ, in place. */
export function adam(net: TanhMlp, theta: Float64Array, steps: number, lr: number): Float64Array {
  const opt = new Adam(net.n, lr);
  for (let t = 1; t <= steps; t++) opt.step(theta, net.gradient(theta));
  return theta;
}

/** Minibatch SGD: one net per batch of a fixed seeded partition, reshuffled each epoch. */
export class MinibatchSgd {
  readonly #batches: TanhMlp[] = [];
  #order: number[] = [];
  #next = 0;

  constructor(readonly net: TanhMlp, batch: number, readonly rng: Rng) {
    const { m, sizes } = net;
    const d = sizes[0];
    const k = net.outputs;
    const perm = this.#shuffle(Array.from({ length: m }, (_, i) => i));
    for (let start = 0; start < m; start += batch) {
      const idx = perm.slice(start, start + batch);
      const x = new Float64Array(idx.length * d);
      const y = new Float64Array(idx.length * k);
      idx.forEach((mu, j) => {
        x.set(net.x.subarray(mu * d, mu * d + d), j * d);
        y.set(net.y.subarray(mu * k, mu * k + k), j * k);
      });
      this.#batches.push(new TanhMlp(sizes, x, y, idx.length, net.decay));
    }
  }

  #shuffle(a: number[]): number[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng.uniform() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  /** One step at rate lr on the next batch, in place. */
  step(theta: Float64Array, lr: number): void {
    if (this.#next >= this.#order.length) {
      this.#order = this.#shuffle(this.#batches.map((_, i) => i));
      this.#next = 0;
    }
    const g = this.#batches[this.#order[this.#next++]].gradient(theta);
    for (let i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
  }
}
