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
import type { Rng } from "../random/rng.ts";
import { type ReverseSampler, sampleReverse } from "./model.ts";

/**
 * The completions of the rows of x0 (n × d) with pixels `known[i] = 1` held; `visit(t, x)`
 * sees the chain at every t = T…0 (frames for a panel). x^T is drawn from `rng` first.
 */
export function inpaint(
  model: ReverseSampler,
  x0: Float64Array,
  known: Uint8Array,
  rng: Rng,
  knownRng: Rng,
  visit?: (t: number, x: Float64Array) => void,
): Float64Array {
  const d = model.spec.d;
  if (known.length !== d) throw new RangeError(`mask of ${known.length} pixels for ${d}`);
  const n = x0.length / d;
  const xT = new Float64Array(n * d);
  for (let i = 0; i < xT.length; i++) xT[i] = rng.normal();
  const ab = model.ab;
  let out: Float64Array = xT;
  sampleReverse(model, xT, rng, (t, x) => {
    const a = Math.sqrt(ab[t]), s = Math.sqrt(1 - ab[t]);
    for (let e = 0; e < n; e++) {
      for (let i = 0; i < d; i++) {
        if (!known[i]) continue;
        const k = e * d + i;
        x[k] = t === 0 ? x0[k] : a * x0[k] + s * knownRng.normal();
      }
    }
    visit?.(t, x);
    out = x;
  });
  return out;
}
