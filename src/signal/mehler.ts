/**
 * The covariance map at equal lengths as a power series in c (Mehler's formula):
 * for z1, z2 standard normal with correlation c and g(z) = φ(√q z),
 *
 *   E g(z1) g(z2) = Σ_k b_k² c^k,   b_k = E[g(z) h_k(z)],
 *
 * with h_k = He_k/√k! the orthonormal Hermite polynomials. The b_k come from one
 * 1-D Gauss–Hermite sum each, after which the c-map and its slope cost O(K) per
 * evaluation instead of a 2-D quadrature: this is what makes a 100×100 phase
 * diagram with c* take well under a second. Checked against 2-D quadrature and
 * the erf closed form in tests.
 *
 * @module
 */
import { gaussHermite, type GaussRule } from "../numerics/gauss_hermite.ts";

/** Nodes for the coefficients: enough that aliasing stays below float64 rounding for K terms. */
const NODES = 180;
/** Terms kept at most; the series is cut sooner once the Parseval tail is negligible. */
const MAX_TERMS = 140;

interface Basis {
  rule: GaussRule;
  /** weighted[k * n + i] = w_i h_k(z_i) */
  weighted: Float64Array;
}

let basis: Basis | undefined;

function getBasis(): Basis {
  if (basis) return basis;
  const rule = gaussHermite(NODES);
  const n = rule.nodes.length;
  const weighted = new Float64Array(MAX_TERMS * n);
  for (let i = 0; i < n; i++) {
    const z = rule.nodes[i];
    let hPrev = 0;
    let h = 1;
    for (let k = 0; k < MAX_TERMS; k++) {
      weighted[k * n + i] = rule.weights[i] * h;
      // h_{k+1} = (z h_k − √k h_{k−1}) / √(k+1)
      const next = (z * h - Math.sqrt(k) * hPrev) / Math.sqrt(k + 1);
      hPrev = h;
      h = next;
    }
  }
  basis = { rule, weighted };
  return basis;
}

/** The squared Hermite coefficients b_k² of g, cut where the remaining tail is negligible. */
export function mehlerCoefficients(g: (z: number) => number): Float64Array {
  const { rule, weighted } = getBasis();
  const n = rule.nodes.length;
  const gv = new Float64Array(n);
  let total = 0; // E g² = Σ_k b_k² (Parseval): tells how much the cut series misses
  for (let i = 0; i < n; i++) {
    gv[i] = g(rule.nodes[i]);
    total += rule.weights[i] * gv[i] * gv[i];
  }
  const b2 = new Float64Array(MAX_TERMS);
  let acc = 0;
  let k = 0;
  for (; k < MAX_TERMS; k++) {
    let s = 0;
    const row = k * n;
    for (let i = 0; i < n; i++) s += weighted[row + i] * gv[i];
    b2[k] = s * s;
    acc += b2[k];
    if (k > 4 && total - acc <= 1e-15 * total) break;
  }
  return b2.subarray(0, Math.min(k + 1, MAX_TERMS));
}

/** Σ_k b2[k] c^k and its derivative in c, by Horner's rule. */
export function mehlerSeries(b2: Float64Array, c: number): { value: number; slope: number } {
  let value = 0;
  let slope = 0;
  for (let k = b2.length - 1; k >= 0; k--) {
    slope = slope * c + value;
    value = value * c + b2[k];
  }
  return { value, slope };
}
