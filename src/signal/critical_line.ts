/**
 * The order-to-chaos boundary χ1(σw², σb²) = 1, as σw² for a given σb², found
 * by Brent's method on σw² ↦ χ1 − 1 rather than read off a grid (Poole et al.
 * 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1).
 *
 * @module
 */
import { brent, NoBracketError } from "../numerics/brent.ts";
import type { Activation } from "./activations.ts";
import { chi1At, qStar } from "./fixed_point.ts";

/** σw² on the critical line at this σb², searched in [lo, hi]; null when χ1 = 1 is not crossed there. */
export function criticalSigmaW2(
  act: Activation,
  sigma_b2: number,
  lo: number,
  hi: number,
): number | null {
  try {
    return brent(
      (w) => {
        const m = { act, sigma_w2: w, sigma_b2 };
        return chi1At(m, qStar(m)) - 1;
      },
      lo,
      hi,
      1e-12,
    );
  } catch (e) {
    if (e instanceof NoBracketError) return null;
    throw e;
  }
}
