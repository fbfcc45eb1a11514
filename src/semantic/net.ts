/**
 * A deep linear net W_D ⋯ W_1 on one-hot items, in float64 and plain TypeScript, trained by
 * full-batch gradient descent on L = ½ Σ_μ ‖y_μ − W_tot x_μ‖² (Saxe, McClelland & Ganguli
 * 2019). With one-hot inputs Σ11 = I, so the data enter as Y = Σ31 (features × items) alone
 * and a step is E = Y − W_tot, ΔW_l = λ A_lᵀ E B_{l−1}ᵀ (A_l = W_D ⋯ W_{l+1}, B_l = W_l ⋯ W_1).
 *
 * Why not src/linear's tfjs net: the semantic environments are a few dozen items and
 * features, where a tfjs op costs more than the product; float64 also keeps the tiny early
 * predictions (the illusions start at 1e-4) free of float32 rounding.
 *
 * The two probes of the paper's induction experiments read the trained net without changing
 * it: a novel item's hidden representation, or a novel property's output weights, fitted by
 * gradient descent on one fact.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";

/** c (n × m) = a (n × k) · b (k × m), row-major */
function mul(a: Float64Array, b: Float64Array, n: number, k: number, m: number): Float64Array {
  const c = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < k; q++) {
      const x = a[i * k + q];
      if (x === 0) continue;
      for (let j = 0; j < m; j++) c[i * m + j] += x * b[q * m + j];
    }
  }
  return c;
}

/** aᵀ (k × n) for a (n × k) */
function transpose(a: Float64Array, n: number, k: number): Float64Array {
  const t = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let q = 0; q < k; q++) t[q * n + i] = a[i * k + q];
  return t;
}

export class DeepLinearNet {
  /** W_l (dims[l] × dims[l − 1], row-major), l = 1…D */
  readonly weights: Float64Array[];

  /**
   * dims = [items, hidden…, features]; weights i.i.d. N(0, initStd²): the paper's small
   * random start, from which each mode grows from ≈ (initStd √hidden)^D.
   */
  constructor(readonly dims: readonly number[], initStd: number, rng: Rng) {
    if (dims.length < 3) throw new RangeError("DeepLinearNet: at least one hidden layer");
    this.weights = dims.slice(1).map((n, l) => {
      const w = new Float64Array(n * dims[l]);
      rng.fillNormal(w, initStd);
      return w;
    });
  }

  get depth(): number {
    return this.weights.length;
  }

  /** B_l = W_l ⋯ W_1 (dims[l] × items) for l = 0…D; B_0 = I */
  #prefixes(): Float64Array[] {
    const p = this.dims[0];
    const eye = new Float64Array(p * p);
    for (let i = 0; i < p; i++) eye[i * p + i] = 1;
    const b: Float64Array[] = [eye];
    for (let l = 1; l <= this.depth; l++) {
      b.push(mul(this.weights[l - 1], b[l - 1], this.dims[l], this.dims[l - 1], p));
    }
    return b;
  }

  /** W_tot (features × items): column μ is the net's prediction for item μ */
  total(): Float64Array {
    return this.#prefixes()[this.depth];
  }

  /** the last hidden layer's representation of each item: B_{D−1} (hidden × items) */
  hidden(): Float64Array {
    return this.#prefixes()[this.depth - 1];
  }

  /** One step at rate lr on the targets y (features × items); returns the loss before it. */
  step(y: Float64Array, lr: number): number {
    const D = this.depth, dims = this.dims, p = dims[0];
    const b = this.#prefixes();
    const e = new Float64Array(y.length);
    let loss = 0;
    for (let q = 0; q < y.length; q++) {
      e[q] = y[q] - b[D][q];
      loss += e[q] * e[q] / 2;
    }
    // top down: G = A_lᵀ E (dims[l] × items), carried as G_{l−1} = W_lᵀ G_l with the old W_l
    let g: Float64Array = e;
    for (let l = D; l >= 1; l--) {
      const w = this.weights[l - 1], nOut = dims[l], nIn = dims[l - 1];
      const next = l > 1 ? mul(transpose(w, nOut, nIn), g, nIn, nOut, p) : null;
      const delta = mul(g, transpose(b[l - 1], nIn, p), nOut, p, nIn); // A_lᵀ E B_{l−1}ᵀ
      for (let q = 0; q < w.length; q++) w[q] += lr * delta[q];
      if (next) g = next;
    }
    return loss;
  }

  /**
   * A novel item told one fact ("it has feathers": feature f = value): its last-hidden
   * representation h, from 0, by gradient descent on ½(value − (W_D h)_f)², the rest of
   * the net fixed (the paper's inductive projection). Returns W_D h, the net's belief about
   * every feature. The rate is half the curvature's inverse, so `steps` = 60 leaves 1e-18 of
   * the gap: the minimum-norm fit, which gradient descent from 0 converges to.
   */
  novelItem(f: number, value: number, steps = 60): Float64Array {
    const D = this.depth, nOut = this.dims[D], nh = this.dims[D - 1];
    const w = this.weights[D - 1];
    const row = w.subarray(f * nh, (f + 1) * nh);
    let norm2 = 0;
    for (const x of row) norm2 += x * x;
    const h = new Float64Array(nh);
    if (norm2 === 0) return new Float64Array(nOut);
    const rate = 0.5 / norm2;
    for (let k = 0; k < steps; k++) {
      let out = 0;
      for (let j = 0; j < nh; j++) out += row[j] * h[j];
      const r = rate * (value - out);
      for (let j = 0; j < nh; j++) h[j] += r * row[j];
    }
    return mul(w, h, nOut, nh, 1);
  }

  /**
   * A novel property told of one item ("a robin has X"): a new output unit's weights, from 0,
   * by gradient descent on ½(1 − w·h_item)², the hidden representations fixed. Returns w·h_μ
   * for every item μ: how far the property spreads.
   */
  novelProperty(item: number, steps = 60): Float64Array {
    const p = this.dims[0], nh = this.dims[this.depth - 1];
    const h = this.hidden();
    const hi = Float64Array.from({ length: nh }, (_, j) => h[j * p + item]);
    let norm2 = 0;
    for (const x of hi) norm2 += x * x;
    const w = new Float64Array(nh);
    if (norm2 > 0) {
      const rate = 0.5 / norm2;
      for (let k = 0; k < steps; k++) {
        let out = 0;
        for (let j = 0; j < nh; j++) out += w[j] * hi[j];
        const r = rate * (1 - out);
        for (let j = 0; j < nh; j++) w[j] += r * hi[j];
      }
    }
    return mul(w, h, 1, nh, p);
  }
}
