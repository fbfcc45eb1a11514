/**
 * The order-to-chaos boundary χ1(σw², σb²) = 1, as σw² for a given σb², found
 * by Brent's method on σw² ↦ χ1 − 1 rather than read off a grid (Poole et al.
 * 2016, Fig. 2; Schoenholz et al. 2017, Fig. 1).
 *
 * @module
 */
import { brent, NoBracketError } from "../numerics/brent.ts";
import type { Activation } from "./activations.ts";
import { qStar } from "./fixed_point.ts";
import { slopeMeanSquare } from "./maps.ts";

/** χ1 = σw² E φ'(√q* z)² at (σw², σb²); for ReLU/linear φ' is scale-free, so q* is not needed. */
export function chi1(act: Activation, sigma_w2: number, sigma_b2: number): number {
  const q = qStar({ act, sigma_w2, sigma_b2 }) ?? 1;
  return sigma_w2 * slopeMeanSquare(act, q);
}

/** σw² on the critical line at this σb², searched in [lo, hi]; null when χ1 = 1 is not crossed there. */
export function criticalSigmaW2(
  act: Activation,
  sigma_b2: number,
  lo: number,
  hi: number,
): number | null {
  try {
    return brent((w) => chi1(act, w, sigma_b2) - 1, lo, hi, 1e-12);
  } catch (e) {
    if (e instanceof NoBracketError) return null;
    throw e;
  }
}
