/**
 * One layer of the NNGP/NTK recursion applied entry by entry to a kernel matrix (src/gp,
 * THEORY.md §6): c = K/q, K ← σb² + σw² pair(c), Θ ← K + σw² slope(c) Θ, with pair and
 * slope in closed form (linear, ReLU's arc-cosine kernel, erf) or read off a lattice by cubic
 * Hermite interpolation (tanh). A map is plain data (its kind, q and tables), so the kernel
 * pool's threads evaluate exactly the arithmetic the calling thread does: the same bits
 * however the entries are split (src/gp/layer_map.ts builds the maps; kernel.ts runs them).
 *
 * @module
 */

export const MAP_KINDS = ["linear", "relu", "erf", "lattice"] as const;
export type MapKind = typeof MAP_KINDS[number];

export interface EntrywiseMap {
  readonly kind: MapKind;
  readonly q: number;
  /** lattice only: pair's values f and derivatives df, slope's g and dg, over c ∈ [−1, 1] */
  readonly tables?: {
    readonly f: Float64Array;
    readonly df: Float64Array;
    readonly g: Float64Array;
    readonly dg: Float64Array;
  };
}

const clamp = (c: number) => Math.max(-1, Math.min(1, c));

/** Cubic Hermite interpolation on the lattice: values f and derivatives df at the points. */
export function hermite(f: Float64Array, df: Float64Array, c: number): number {
  const m = f.length - 1;
  const h = 2 / m;
  const x = Math.min(m - 1e-9, Math.max(0, (c + 1) / h));
  const i = Math.floor(x), t = x - i;
  const t2 = t * t, t3 = t2 * t;
  return (2 * t3 - 3 * t2 + 1) * f[i] + (t3 - 2 * t2 + t) * h * df[i] +
    (-2 * t3 + 3 * t2) * f[i + 1] + (t3 - t2) * h * df[i + 1];
}

/** E φ(u1)φ(u2) at correlation c (u of variance q). */
export function pairOf(m: EntrywiseMap, c: number): number {
  const q = m.q;
  switch (m.kind) {
    case "relu":
      c = clamp(c);
      return (q / (2 * Math.PI)) * (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c);
    case "erf":
      return (2 / Math.PI) * Math.asin((2 * q * clamp(c)) / (1 + 2 * q));
    case "linear":
      return q * c;
    case "lattice":
      return hermite(m.tables!.f, m.tables!.df, c);
  }
}

/** E φ'(u1)φ'(u2) at correlation c. */
export function slopeOf(m: EntrywiseMap, c: number): number {
  const q = m.q;
  switch (m.kind) {
    case "relu":
      return (Math.PI - Math.acos(clamp(c))) / (2 * Math.PI);
    case "erf":
      return (4 / Math.PI) / Math.sqrt((1 + 2 * q) ** 2 - 4 * q * q * clamp(c) ** 2);
    case "linear":
      return 1;
    case "lattice":
      return hermite(m.tables!.g, m.tables!.dg, c);
  }
}

/**
 * Entries [from, to) of one layer, in place: k ← σb² + σw² pair(k/q), and with t (the NTK)
 * t ← k + σw² slope(k/q) t, both at the entry's old correlation.
 */
export function layerStep(
  m: EntrywiseMap,
  k: Float64Array,
  t: Float64Array | null,
  from: number,
  to: number,
  sigmaB2: number,
  sigmaW2: number,
): void {
  const q = m.q;
  if (!t) {
    for (let i = from; i < to; i++) k[i] = sigmaB2 + sigmaW2 * pairOf(m, k[i] / q);
    return;
  }
  for (let i = from; i < to; i++) {
    const c = k[i] / q;
    k[i] = sigmaB2 + sigmaW2 * pairOf(m, c);
    t[i] = k[i] + sigmaW2 * slopeOf(m, c) * t[i];
  }
}
