/**
 * Adam (Kingma & Ba 2015) on a flat float64 parameter vector, with their
 * defaults β = 0.9, 0.999 and ε = 1e-8. Shared by the landscape's trajectories
 * and the diffusion model's training.
 *
 * @module
 */
export class Adam {
  readonly #m: Float64Array;
  readonly #v: Float64Array;
  #t = 0;
  constructor(n: number, readonly lr: number, readonly b1 = 0.9, readonly b2 = 0.999) {
    this.#m = new Float64Array(n);
    this.#v = new Float64Array(n);
  }
  step(theta: Float64Array, grad: Float64Array, lr = this.lr): void {
    this.#t++;
    const c1 = 1 - this.b1 ** this.#t;
    const c2 = 1 - this.b2 ** this.#t;
    for (let i = 0; i < theta.length; i++) {
      this.#m[i] = this.b1 * this.#m[i] + (1 - this.b1) * grad[i];
      this.#v[i] = this.b2 * this.#v[i] + (1 - this.b2) * grad[i] * grad[i];
      theta[i] -= (lr * this.#m[i] / c1) / (Math.sqrt(this.#v[i] / c2) + 1e-8);
    }
  }
}
