/**
 * The exact entropy of the heartbeat's forward marginal q(x^t). A sequence's bits
 * fall in 5 residue classes of 4 bins each; x^0 has ones on one class (its phase)
 * and after t steps each bit equals x^0's with probability ᾱ_t + (1−ᾱ_t)/2. So
 * q(x^t) depends only on the count of ones in each class, and the sum over 2^20
 * sequences becomes one over 5^5 count vectors, weighted by Π C(4, c_r).
 *
 * @module
 */
import { HEARTBEAT_LENGTH, HEARTBEAT_PERIOD } from "./data.ts";

const PER_CLASS = HEARTBEAT_LENGTH / HEARTBEAT_PERIOD;
const CHOOSE = [1, 4, 6, 4, 1]; // C(4, c)

/** H(X^t) in nats for a fraction ᾱ of x^0 surviving (ᾱ = 1: log 5; ᾱ = 0: 20 log 2). */
export function heartbeatEntropy(alphaBar: number): number {
  const on = alphaBar + (1 - alphaBar) / 2; // P(bit = 1 | x^0 bit = 1)
  const off = (1 - alphaBar) / 2; // P(bit = 1 | x^0 bit = 0)
  const pow = (p: number, c: number) => p ** c * (1 - p) ** (PER_CLASS - c);
  const counts = new Array<number>(HEARTBEAT_PERIOD).fill(0);
  let h = 0;
  const total = (PER_CLASS + 1) ** HEARTBEAT_PERIOD;
  for (let code = 0; code < total; code++) {
    let rest = code;
    let multiplicity = 1;
    for (let r = 0; r < HEARTBEAT_PERIOD; r++) {
      counts[r] = rest % (PER_CLASS + 1);
      rest = Math.floor(rest / (PER_CLASS + 1));
      multiplicity *= CHOOSE[counts[r]];
    }
    let q = 0;
    for (let k = 0; k < HEARTBEAT_PERIOD; k++) {
      let prod = 1;
      for (let r = 0; r < HEARTBEAT_PERIOD; r++) prod *= pow(r === k ? on : off, counts[r]);
      q += prod / HEARTBEAT_PERIOD;
    }
    if (q > 0) h -= multiplicity * q * Math.log(q);
  }
  return h;
}
