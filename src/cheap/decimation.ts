/**
 * Renormalisation of the 1-D Ising chain by decimation (Lin, Tegmark & Rolnick 2017, §IV;
 * THEORY.md §8). Summing out every other spin of Z = Σ exp(K Σ sᵢsᵢ₊₁):
 *   Σ_{s2} exp(K s2 (s1 + s3)) = 2 cosh(K(s1 + s3)) = A(K) exp(K' s1 s3),
 *   K' = ½ ln cosh 2K  (tanh K' = tanh² K),   A(K) = 2 cosh^{1/2}(2K),
 * so Z_N(K) = A^{N/2} Z_{N/2}(K') and the free energy per site f = (1/N) ln Z (the sign
 * convention of THEORY.md) obeys f(K') = 2 f(K) − ln A(K). The flow runs to K* = 0, where
 * f = ln 2 (free spins); running the recursion back from there gives f(K0).
 *
 * @module
 */

/** One decimation: K' = ½ ln cosh 2K, written via tanh K' = tanh² K (no overflow at large K). */
export function decimate(k: number): number {
  return Math.atanh(Math.tanh(k) ** 2);
}

/** ln A(K) = ln 2 + ½ ln cosh 2K, the constant one decimation pulls out per removed spin. */
export function logA(k: number): number {
  // ln cosh x = |x| + ln(1 + e^{−2|x|}) − ln 2, exact for large x
  const x = 2 * Math.abs(k);
  return Math.LN2 + 0.5 * (x + Math.log1p(Math.exp(-2 * x)) - Math.LN2);
}

/** The infinite chain's exact free energy per site, ln(2 cosh K). */
export function exactFreeEnergy(k: number): number {
  const x = Math.abs(k);
  return x + Math.log1p(Math.exp(-2 * x)); // = ln(eˣ + e⁻ˣ)
}

/**
 * (1/N) ln Z of a ring of N spins by its transfer matrix: Z = λ₊ᴺ + λ₋ᴺ, λ± = 2cosh K, 2sinh K.
 * An independent check of the recursion on a finite ring (where decimation is exact).
 */
export function ringFreeEnergy(k: number, n: number): number {
  const ratio = Math.tanh(k) ** n; // (λ₋/λ₊)ᴺ, ≤ 1 for K ≥ 0
  return exactFreeEnergy(k) + Math.log1p(k >= 0 || n % 2 === 0 ? ratio : -Math.abs(ratio)) / n;
}

export interface DecimationStep {
  /** decimations done */
  readonly step: number;
  /** the coupling after `step` decimations */
  readonly K: number;
  /**
   * f(K0) from `step` decimations with the rest of the flow taken at its fixed point (free
   * spins, f = ln 2): f(K0) = Σ_{j<step} ln A(K_j)/2^{j+1} + ln 2 / 2^step
   */
  readonly fRecursion: number;
}

/** The flow from K0, step by step, with the free-energy estimate each step gives. */
export function* decimationFlow(k0: number, steps: number): Generator<DecimationStep> {
  let k = k0, sum = 0, weight = 1;
  yield { step: 0, K: k, fRecursion: Math.LN2 };
  for (let step = 1; step <= steps; step++) {
    weight /= 2;
    sum += weight * logA(k);
    k = decimate(k);
    yield { step, K: k, fRecursion: sum + weight * Math.LN2 };
  }
}

/**
 * The ring of 2^m spins decimated m − 1 times down to two spins, whose Z = 4 cosh 2K is
 * exact: (1/N) ln Z_N by decimation alone, to compare with ringFreeEnergy.
 */
export function ringByDecimation(k0: number, m: number): number {
  let k = k0, sum = 0, weight = 1;
  for (let j = 0; j < m - 1; j++) {
    weight /= 2;
    sum += weight * logA(k);
    k = decimate(k);
  }
  // two spins on a ring: two bonds between them, Z = Σ exp(2K s1 s2) = 4 cosh 2K
  const two = (Math.log(4) + 2 * Math.abs(k) + Math.log1p(Math.exp(-4 * Math.abs(k))) - Math.LN2) /
    2;
  return sum + weight * two;
}
