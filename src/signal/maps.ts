/**
 * The length and covariance maps of mean-field signal propagation
 * (Poole et al. 2016, Eqs. 3 and 5; THEORY.md §1):
 *
 *   q^l   = σw² ∫Dz φ(√q^{l-1} z)² + σb²
 *   q12^l = σw² ∫Dz1 Dz2 φ(u1) φ(u2) + σb²,   c^l = q12^l / √(q11^l q22^l)
 *
 * Closed forms where the activation has them, Gauss–Hermite otherwise.
 *
 * @module
 */
import { expect1, expect2, gaussHermite } from "../numerics/gauss_hermite.ts";
import type { Activation } from "./activations.ts";

/** σw², σb² (variances) and φ: what every map below depends on. */
export interface MeanField {
  readonly act: Activation;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
}

/** E φ(√q z)². */
export function meanSquare(act: Activation, q: number): number {
  if (act.pair) return act.pair(q, q, q);
  const s = Math.sqrt(q);
  return expect1((z) => act.phi(s * z) ** 2);
}

/** E φ(u1) φ(u2) for the bivariate Gaussian (q11, q22, q12). */
export function pairMean(act: Activation, q11: number, q22: number, q12: number): number {
  if (act.pair) return act.pair(q11, q22, q12);
  const s1 = Math.sqrt(q11);
  const s2 = Math.sqrt(q22);
  const c = q11 > 0 && q22 > 0 ? Math.max(-1, Math.min(1, q12 / (s1 * s2))) : 1;
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  return expect2((z1, z2) => act.phi(s1 * z1) * act.phi(s2 * (c * z1 + s * z2)), gaussHermite());
}

/** χ-type integral E φ'(√q z)²; σw² times it is χ1 at q = q*. */
export function slopeMeanSquare(act: Activation, q: number): number {
  if (act.pairSlope) return act.pairSlope(q, q, q);
  const s = Math.sqrt(q);
  return expect1((z) => act.dphi(s * z) ** 2);
}

/** One step of the length map. */
export function lengthMap(m: MeanField, q: number): number {
  return m.sigma_w2 * meanSquare(m.act, q) + m.sigma_b2;
}

/** d q^l / d q^{l-1} = σw² E[φ'² + φ φ''] (Stein's lemma); its log sets ξ_q. */
export function lengthMapSlope(m: MeanField, q: number): number {
  const { act } = m;
  if (act.name === "relu") return m.sigma_w2 / 2;
  if (act.name === "linear") return m.sigma_w2;
  const s = Math.sqrt(q);
  return m.sigma_w2 * expect1((z) => {
    const u = s * z;
    return act.dphi(u) ** 2 + act.d2phi(u) * act.phi(u);
  });
}

/** One step of the covariance map for two inputs: (q11, q22, q12) → next. */
export function covarianceMap(
  m: MeanField,
  q11: number,
  q22: number,
  q12: number,
): [number, number, number] {
  return [
    lengthMap(m, q11),
    lengthMap(m, q22),
    m.sigma_w2 * pairMean(m.act, q11, q22, q12) + m.sigma_b2,
  ];
}

/** Layer-by-layer theory for two inputs of length q0 at correlation c0: layers 0…depth. */
export function propagate(
  m: MeanField,
  q0: number,
  c0: number,
  depth: number,
): { layer: number; q: number; c: number }[] {
  const out = [{ layer: 0, q: q0, c: c0 }];
  let q = q0;
  let q12 = c0 * q0;
  for (let l = 1; l <= depth; l++) {
    [q, , q12] = covarianceMap(m, q, q, q12);
    out.push({ layer: l, q, c: q > 0 ? q12 / q : 1 });
  }
  return out;
}
