/**
 * Inpainting with a trained reverse process (Sohl-Dickstein et al. 2015, §3.2.2 and Appendix
 * "Diffusion Probabilistic Model Inpainting"): the reverse chain from noise, with the known
 * pixels set at every step t to a draw from their forward marginal q(x^t | x^0) =
 * N(√ᾱ_t x^0, 1 − ᾱ_t) — where the chain would be had it started from the image — and to x^0
 * itself at t = 0. The unknown pixels follow the reverse kernels, conditioned step by step on
 * the known ones through the network.
 *
 * The known pixels' draws come from their own rng, so with nothing known the chain consumes
 * the chain's rng exactly as sampling does (the two are then equal, draw for draw), and with
 * everything known it returns the image.
 *
 * @module
 */
import { Rng } from "../random/rng.ts";
import { drawPrior, type ReverseSampler } from "./model.ts";
import { fromAxes, type PrincipalAxes, toAxes } from "./gaussian_base.ts";

/** The orthogonal coordinates a model on principal axes works in (gaussian_base.ts). */
export type Axes = Pick<PrincipalAxes, "d" | "axes">;

export interface InpaintOptions {
  /** sees the chain at every t = T…0 (frames for a panel) */
  readonly visit?: (t: number, x: Float64Array) => void;
  /**
   * passes of each resampled step (1, the default: the paper's single pass): > 1 repeats the
   * step that many times, diffusing the result back one step between repeats (Lugmayr et al.
   * 2022, "RePaint"), so the unknown pixels see the known ones several times at that noise
   * level, which the single pass leaves loosely coupled (its completions keep the known half's
   * class less often: docs/pipelines/image-diffusion.md)
   */
  readonly resample?: number;
  /**
   * resample only the steps t > resampleAbove × T (0, the default: every step, as RePaint
   * does): the noisy steps are where the halves settle the digit's class; the quiet ones only
   * sharpen strokes (MNIST, the same cost: 20 passes above T/2 read 0.707 on five seeds against
   * 0.695 for 10 passes at every step)
   */
  readonly resampleAbove?: number;
  /**
   * the model works on principal axes (`--base gaussian`): the chain runs in those coordinates
   * and goes to pixels to hold the known ones (x0, the frames and the result are pixels); the
   * forward noise is isotropic, so the backing-up steps are drawn alike in either coordinates
   */
  readonly axes?: Axes | null;
}

/**
 * The completions of the rows of x0 (n × d) with pixels `known[i] = 1` held. x^T is drawn from
 * `rng` first, from the model's p(x^T) (drawPrior: N(0, I), or a kernel base's prior on the axes).
 */
export function inpaint(
  model: ReverseSampler,
  x0: Float64Array,
  known: Uint8Array,
  rng: Rng,
  knownRng: Rng,
  opts: InpaintOptions = {},
): Float64Array {
  const { visit, resample = 1, resampleAbove = 0, axes = null } = opts;
  if (!(Number.isInteger(resample) && resample >= 1)) throw new RangeError(`resample ${resample}`);
  if (!(resampleAbove >= 0 && resampleAbove < 1)) {
    throw new RangeError(`resampleAbove must be in [0, 1), got ${resampleAbove}`);
  }
  const d = model.spec.d;
  if (axes && axes.d !== d) throw new RangeError(`axes of ${axes.d} pixels for ${d}`);
  if (known.length !== d) throw new RangeError(`mask of ${known.length} pixels for ${d}`);
  if (model.spec.kind !== "gaussian") throw new RangeError("inpainting needs Gaussian diffusion");
  const n = x0.length / d;
  const ab = model.ab, beta = model.beta, T = beta.length;
  // the known pixels at step t: a draw from q(x^t | x^0), or x^0 itself at t = 0
  const hold = (t: number, x: Float64Array) => {
    const a = Math.sqrt(ab[t]), s = Math.sqrt(1 - ab[t]);
    for (let e = 0; e < n; e++) {
      for (let i = 0; i < d; i++) {
        if (!known[i]) continue;
        const k = e * d + i;
        x[k] = t === 0 ? x0[k] : a * x0[k] + s * knownRng.normal();
      }
    }
  };
  // x^{t−1} from x^t: the reverse kernel (t ≥ 2) or the forward one reversed (t = 1), drawn
  // element by element in order, as sampleReverse draws them
  const step = (t: number, x: Float64Array) => {
    const next = new Float64Array(x.length);
    if (t === 1) {
      for (let i = 0; i < x.length; i++) {
        next[i] = Math.sqrt(1 - beta[0]) * x[i] + Math.sqrt(beta[0]) * rng.normal();
      }
      return next;
    }
    const r = model.reverseAll(x, t);
    for (let i = 0; i < x.length; i++) {
      next[i] = r.mean[i] + Math.sqrt(r.variance[i]) * rng.normal();
    }
    return next;
  };
  // the chain's state x is in the model's coordinates; these take it to pixels and back
  const pixels = (x: Float64Array) => axes ? fromAxes(axes, x) : x;
  const anyKnown = known.some((k) => k === 1);
  const held = (t: number, x: Float64Array) => {
    if (!anyKnown) return x;
    if (!axes) {
      hold(t, x);
      return x;
    }
    const p = pixels(x);
    hold(t, p);
    return toAxes(axes, p);
  };
  let x = held(T, drawPrior(model, n, rng));
  if (visit) visit(T, pixels(x));
  for (let t = T; t >= 1; t--) {
    const passes = t > resampleAbove * T ? resample : 1;
    for (let u = 0; u < passes; u++) {
      if (u > 0) {
        // back up one step: x^t ~ q(x^t | x^{t−1})
        const b = beta[t - 1];
        for (let i = 0; i < x.length; i++) {
          x[i] = Math.sqrt(1 - b) * x[i] + Math.sqrt(b) * rng.normal();
        }
      }
      x = held(t - 1, step(t, x));
    }
    if (visit) visit(t - 1, pixels(x));
  }
  if (!axes) return x;
  // the known pixels exactly (the way back from the axes rounds)
  const out = pixels(x);
  for (let e = 0; e < n; e++) {
    for (let i = 0; i < d; i++) if (known[i]) out[e * d + i] = x0[e * d + i];
  }
  return out;
}

/**
 * The mean of `chains` completions (each `inpaint` from its own streams): an estimate of the
 * posterior mean E[x | known pixels], which reads as the image more often than one sample, whose
 * unknown pixels are speckled where the chains disagree (docs/pipelines/image-diffusion.md).
 * The first chain draws as `inpaint(model, x0, known, rng, new Rng(rng.int32() >>> 0), opts)`
 * does, so one chain is exactly that; `opts.visit` sees the first chain only.
 */
export function inpaintMean(
  model: ReverseSampler,
  x0: Float64Array,
  known: Uint8Array,
  rng: Rng,
  chains: number,
  opts: InpaintOptions = {},
): Float64Array {
  if (!(Number.isInteger(chains) && chains >= 1)) throw new RangeError(`chains ${chains}`);
  const mean = inpaint(model, x0, known, rng, new Rng(rng.int32() >>> 0), opts);
  for (let c = 1; c < chains; c++) {
    const one = inpaint(
      model,
      x0,
      known,
      new Rng(rng.int32() >>> 0),
      new Rng(rng.int32() >>> 0),
      { ...opts, visit: undefined },
    );
    for (let i = 0; i < mean.length; i++) mean[i] += one[i];
  }
  if (chains > 1) { for (let i = 0; i < mean.length; i++) mean[i] /= chains; }
  return mean;
}
