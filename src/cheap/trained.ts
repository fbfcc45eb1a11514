/**
 * Trained product nets (Rolnick & Tegmark 2018, §5): softplus nets learn x1⋯xn from random
 * inputs, either as one hidden layer of any width, or as a binary tree of small free blocks
 * (each block two inputs → k hidden neurons → one output), the shape of the deep construction
 * (src/cheap/gates.ts) with every weight learned from a random start.
 *
 * Loss and test error are the normalised squared error E(f − Πx)²/E(Πx)² (1 for the best
 * constant, as the product has mean 0 on the box), float64, full-batch Adam: the nets are
 * small (at most a few hundred weights) and a fixed training set lets them reach the
 * precision their shape allows, which is what is being compared.
 *
 * @module
 */
import { Adam } from "../optim/adam.ts";
import type { Rng } from "../random/rng.ts";
import type { Tree } from "./gates.ts";

/** softplus(u) and its derivative sigmoid(u) from one exp */
function softplusPair(u: number, out: Float64Array, k: number) {
  const e = Math.exp(-Math.abs(u));
  out[k] = Math.max(u, 0) + Math.log1p(e);
  return u >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export interface ProductData {
  readonly n: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** E y², the loss's normaliser */
  readonly power: number;
}

/** `count` points uniform on [−1, 1]ⁿ and their products. */
export function productData(n: number, count: number, rng: Rng): ProductData {
  const x = new Float64Array(count * n), y = new Float64Array(count);
  let power = 0;
  for (let p = 0; p < count; p++) {
    let prod = 1;
    for (let i = 0; i < n; i++) prod *= x[p * n + i] = 2 * rng.uniform() - 1;
    y[p] = prod;
    power += prod * prod;
  }
  return { n, x, y, power: power / count };
}

/** A net with a flat parameter vector: its output and, with `grad`, dLoss/dθ accumulated. */
export interface ProductNet {
  readonly kind: "shallow" | "deep";
  readonly neurons: number;
  readonly theta: Float64Array;
  /** f(x), keeping what `backward` needs */
  forward(x: Float64Array): number;
  /** adds dout·∂f/∂θ at the last forward's x into grad */
  backward(dout: number, grad: Float64Array): void;
}

/** One hidden layer of `width` softplus neurons: θ = [W (width × n), b, a, c]. */
export function shallowNet(n: number, width: number, rng: Rng): ProductNet {
  const theta = new Float64Array(width * n + 2 * width + 1);
  const iB = width * n, iA = iB + width, iC = iA + width;
  for (let k = 0; k < width * n; k++) theta[k] = rng.normal(); // O(1) pre-activations: curvature to use
  for (let k = 0; k < width; k++) theta[iA + k] = rng.normal() / Math.sqrt(width);
  const h = new Float64Array(width), d = new Float64Array(width);
  let input: Float64Array = new Float64Array(n);
  return {
    kind: "shallow",
    neurons: width,
    theta,
    forward(x) {
      input = x;
      let out = theta[iC];
      for (let k = 0; k < width; k++) {
        let u = theta[iB + k];
        for (let i = 0; i < n; i++) u += theta[k * n + i] * x[i];
        d[k] = softplusPair(u, h, k);
        out += theta[iA + k] * h[k];
      }
      return out;
    },
    backward(dout, grad) {
      grad[iC] += dout;
      for (let k = 0; k < width; k++) {
        grad[iA + k] += dout * h[k];
        const delta = dout * theta[iA + k] * d[k];
        grad[iB + k] += delta;
        for (let i = 0; i < n; i++) grad[k * n + i] += delta * input[i];
      }
    },
  };
}

/**
 * The tree of blocks: each node of `tree` is a block of `perGate` softplus neurons taking its
 * two children's outputs; θ per block = [W (perGate × 2), b, a, c]. Neurons: perGate(n − 1).
 */
export function deepNet(tree: Tree, perGate: number, rng: Rng, block?: Float64Array): ProductNet {
  const size = 4 * perGate + 1;
  // post-order numbering of the blocks, each with its children
  const blocks: { left: Tree; right: Tree; offset: number }[] = [];
  const index = new Map<Tree, number>();
  const visit = (t: Tree) => {
    if (typeof t === "number") return;
    visit(t[0]);
    visit(t[1]);
    index.set(t, blocks.length);
    blocks.push({ left: t[0], right: t[1], offset: blocks.length * size });
  };
  visit(tree);
  const theta = new Float64Array(blocks.length * size);
  for (const { offset } of blocks) {
    if (block) {
      theta.set(block, offset);
      continue;
    }
    for (let k = 0; k < 2 * perGate; k++) theta[offset + k] = rng.normal();
    for (let k = 0; k < perGate; k++) {
      theta[offset + 3 * perGate + k] = rng.normal() / Math.sqrt(perGate);
    }
  }
  const out = new Float64Array(blocks.length), inL = new Float64Array(blocks.length);
  const inR = new Float64Array(blocks.length), h = new Float64Array(blocks.length * perGate);
  const d = new Float64Array(blocks.length * perGate), back = new Float64Array(blocks.length);
  const value = (t: Tree, x: Float64Array) => (typeof t === "number" ? x[t] : out[index.get(t)!]);
  return {
    kind: "deep",
    neurons: blocks.length * perGate,
    theta,
    forward(x) {
      blocks.forEach(({ left, right, offset }, g) => {
        const l = inL[g] = value(left, x), r = inR[g] = value(right, x);
        let o = theta[offset + 4 * perGate];
        for (let k = 0; k < perGate; k++) {
          const u = theta[offset + 2 * perGate + k] + theta[offset + 2 * k] * l +
            theta[offset + 2 * k + 1] * r;
          d[g * perGate + k] = softplusPair(u, h, g * perGate + k);
          o += theta[offset + 3 * perGate + k] * h[g * perGate + k];
        }
        out[g] = o;
      });
      return out[blocks.length - 1];
    },
    backward(dout, grad) {
      {
        back.fill(0);
        back[blocks.length - 1] = dout;
        for (let g = blocks.length - 1; g >= 0; g--) {
          const { left, right, offset } = blocks[g];
          const bo = back[g];
          grad[offset + 4 * perGate] += bo;
          let dl = 0, dr = 0;
          for (let k = 0; k < perGate; k++) {
            grad[offset + 3 * perGate + k] += bo * h[g * perGate + k];
            const delta = bo * theta[offset + 3 * perGate + k] * d[g * perGate + k];
            grad[offset + 2 * perGate + k] += delta;
            grad[offset + 2 * k] += delta * inL[g];
            grad[offset + 2 * k + 1] += delta * inR[g];
            dl += delta * theta[offset + 2 * k];
            dr += delta * theta[offset + 2 * k + 1];
          }
          if (typeof left !== "number") back[index.get(left)!] += dl;
          if (typeof right !== "number") back[index.get(right)!] += dr;
        }
      }
    },
  };
}

/** The normalised squared error of `net` on `data`; with `grad`, its gradient too. */
export function productLoss(net: ProductNet, data: ProductData, grad?: Float64Array): number {
  const { n, x, y } = data;
  const count = y.length, norm = 1 / (count * data.power);
  grad?.fill(0);
  let loss = 0;
  for (let p = 0; p < count; p++) {
    const xp = x.subarray(p * n, p * n + n);
    const r = net.forward(xp) - y[p];
    loss += r * r;
    if (grad) net.backward(2 * r * norm, grad);
  }
  return loss * norm;
}

export interface TrainOptions {
  readonly steps: number;
  readonly lr: number;
}

/**
 * Full-batch Adam, the rate cosine-annealed to 0 (the last steps polish the fit). Calls
 * `onStep` every step with the training loss; returns the final training loss.
 */
export async function trainProduct(
  net: ProductNet,
  data: ProductData,
  options: TrainOptions,
  onStep: (step: number, loss: number) => Promise<void> | void = () => {},
): Promise<number> {
  const adam = new Adam(net.theta.length, options.lr);
  const grad = new Float64Array(net.theta.length);
  let loss = Infinity;
  for (let s = 0; s < options.steps; s++) {
    loss = productLoss(net, data, grad);
    adam.step(net.theta, grad, options.lr * 0.5 * (1 + Math.cos(Math.PI * s / options.steps)));
    await onStep(s, loss);
  }
  return productLoss(net, data);
}
