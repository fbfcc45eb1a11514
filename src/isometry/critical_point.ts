/**
 * Where on the critical line χ1 = 1 a network sits, named by its fixed point q*
 * (Pennington, Schoenholz & Ganguli 2017, §2; THEORY.md §1, §3): χ1 = σw² E φ'(√q* z)² = 1
 * fixes σw² = 1 / E φ'², and q* = σw² E φ(√q* z)² + σb² then fixes σb². A q* is reachable
 * only where that σb² is ≥ 0. ReLU and linear φ are scale-free (E φ² = q* E φ'²), so
 * σb² = 0 and every q* lies on one point (σw² = 2, resp. 1): q* only sets the input length.
 *
 * @module
 */
import type { Activation } from "../signal/activations.ts";
import { meanSquare, slopeMeanSquare } from "../signal/maps.ts";
import { expect1 } from "../numerics/gauss_hermite.ts";
import { erf } from "../numerics/erf.ts";

export interface CriticalPoint {
  readonly q_star: number;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  /** μ_k = E φ'(√q* z)^{2k}, k = 1, 2: the moments of one layer's D² */
  readonly mu1: number;
  readonly mu2: number;
}

export class UnreachableError extends RangeError {}

/** σw², σb² putting the fixed point at q* on the critical line; throws UnreachableError. */
export function criticalPoint(act: Activation, qStar: number): CriticalPoint {
  if (!(qStar > 0)) throw new UnreachableError(`q* must be > 0, got ${qStar}`);
  if (act.name === "hard-tanh") return hardTanhPoint(qStar);
  const mu1 = slopeMeanSquare(act, qStar);
  const s = Math.sqrt(qStar);
  // erf' = (2/√π) e^{−x²}: μ_k = (4/π)^k / √(1 + 4kq*) in closed form, where quadrature would
  // have to resolve a spike of width ~1/√q* at large q*
  const mu2 = act.name === "erf"
    ? (4 / Math.PI) ** 2 / Math.sqrt(1 + 8 * qStar)
    : expect1((z) => act.dphi(s * z) ** 4);
  const sigma_w2 = 1 / mu1;
  const raw = qStar - sigma_w2 * meanSquare(act, qStar);
  // scale-free φ: σb² is 0 up to rounding, never a real negative
  const sigma_b2 = Math.abs(raw) < 1e-12 * qStar ? 0 : raw;
  if (sigma_b2 < 0) {
    throw new UnreachableError(
      `q* = ${qStar} is not on ${act.name}'s critical line: it would need σb² = ${
        sigma_b2.toPrecision(3)
      } < 0`,
    );
  }
  return { q_star: qStar, sigma_w2, sigma_b2, mu1, mu2 };
}

/**
 * hard-tanh in closed form: with a = 1/√(2q*), the slope is 1 with probability p = erf(a), so
 * μ1 = μ2 = p, and E φ² = q* (p − 2a e^{−a²}/√π) + 1 − p (the truncated second moment inside
 * ±1, and 1 outside). σb² ≥ 0 for every q*: each q* is reachable.
 */
function hardTanhPoint(qStar: number): CriticalPoint {
  const a = 1 / Math.sqrt(2 * qStar);
  const p = erf(a);
  const meanSquare = qStar * (p - (2 * a * Math.exp(-a * a)) / Math.sqrt(Math.PI)) + 1 - p;
  const sigma_w2 = 1 / p;
  return { q_star: qStar, sigma_w2, sigma_b2: qStar - sigma_w2 * meanSquare, mu1: p, mu2: p };
}
