/**
 * One layer of the NNGP and NTK recursions on inputs of equal length (THEORY.md §6):
 * at pre-activation variance q, as functions of the correlation c of two inputs,
 *
 *   pair(c)  = E φ(u1) φ(u2),    slope(c) = E φ'(u1) φ'(u2),   u ~ N(0, q [[1, c], [c, 1]]),
 *
 * so K' = σb² + σw² pair(c) and Θ' = K' + σw² slope(c) Θ. Closed forms for ReLU (the
 * arc-cosine kernel), erf and linear φ; otherwise (tanh) a lattice over c, tabulated once a
 * layer from the Mehler series of src/signal (exact to float64) and read by cubic Hermite
 * interpolation, as Lee et al. (2018) tabulate theirs: ≈ 10 flops an entry instead of a
 * series of ≈ 60 terms, for millions of entries a layer. Its error against direct 2-D
 * Gauss–Hermite quadrature is measured by `latticeError` (below 1e-9 at 2,049 points).
 *
 * @module
 */
import { expect2, gaussHermite } from "../numerics/gauss_hermite.ts";
import type { Activation } from "../signal/activations.ts";
import { mehlerCoefficients } from "../signal/mehler.ts";
import { type EntrywiseMap, pairOf, slopeOf } from "../compute/f64/entrywise.ts";

export interface LayerMap {
  readonly q: number;
  pair(c: number): number;
  slope(c: number): number;
  /** the map as data, for the kernel pool's threads */
  readonly spec: EntrywiseMap;
}

/** Lattice points over c ∈ [−1, 1]. */
export const LATTICE_POINTS = 2049;

/** Σ b_k c^k and its first two derivatives (Horner). */
function series(b: Float64Array, c: number): [number, number, number] {
  let v = 0, d1 = 0, d2 = 0;
  for (let k = b.length - 1; k >= 0; k--) {
    d2 = d2 * c + 2 * d1;
    d1 = d1 * c + v;
    v = v * c + b[k];
  }
  return [v, d1, d2];
}

/** The layer's map at variance q for φ (module note). */
export function layerMap(act: Activation, q: number, points = LATTICE_POINTS): LayerMap {
  switch (act.name) {
    case "relu":
    case "erf":
    case "linear":
      return fromSpec({ kind: act.name, q });
  }
  return latticeMap(act, q, points);
}

/** A map from its data (src/compute/f64/entrywise.ts: the kernel pool evaluates the same). */
function fromSpec(spec: EntrywiseMap): LayerMap {
  return { q: spec.q, pair: (c) => pairOf(spec, c), slope: (c) => slopeOf(spec, c), spec };
}

/** The lattice for any φ (the closed forms above skip it; tests compare the two). */
export function latticeMap(act: Activation, q: number, points = LATTICE_POINTS): LayerMap {
  // E g(z1) g(z2) = Σ b_k² c^k for g(z) = φ(√q z), and by Price's theorem
  // d/dc of it = q E φ'φ', d²/dc² = q² E φ''φ''
  const s = Math.sqrt(q);
  const b2 = mehlerCoefficients((z) => act.phi(s * z));
  const f = new Float64Array(points), df = new Float64Array(points);
  const g = new Float64Array(points), dg = new Float64Array(points);
  for (let i = 0; i < points; i++) {
    const [v, d1, d2] = series(b2, -1 + (2 * i) / (points - 1));
    f[i] = v;
    df[i] = d1;
    g[i] = d1 / q;
    dg[i] = d2 / q;
  }
  return fromSpec({ kind: "lattice", q, tables: { f, df, g, dg } });
}

/**
 * The lattice's largest error, pair and slope, against 2-D Gauss–Hermite quadrature (the
 * direct integral) at `count` correlations spread over [−0.99, 0.99].
 */
export function latticeError(
  act: Activation,
  q: number,
  count = 41,
): { pair: number; slope: number } {
  const map = layerMap(act, q);
  const rule = gaussHermite();
  const s = Math.sqrt(q);
  let pair = 0, slope = 0;
  for (let k = 0; k < count; k++) {
    const c = -0.99 + (1.98 * k) / (count - 1);
    const r = Math.sqrt(1 - c * c);
    const direct = expect2((z1, z2) => act.phi(s * z1) * act.phi(s * (c * z1 + r * z2)), rule);
    const directSlope = expect2(
      (z1, z2) => act.dphi(s * z1) * act.dphi(s * (c * z1 + r * z2)),
      rule,
    );
    pair = Math.max(pair, Math.abs(map.pair(c) - direct));
    slope = Math.max(slope, Math.abs(map.slope(c) - directSlope));
  }
  return { pair, slope };
}
