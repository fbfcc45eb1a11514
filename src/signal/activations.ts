/**
 * The activations of THEORY.md §1, each with its derivatives and, where one
 * exists, the closed-form Gaussian integrals that the theory uses instead of
 * quadrature (ReLU's kink defeats Gauss–Hermite; erf's are simply exact).
 *
 * Notation: u1 = √q11 z1, u2 = √q22 (c z1 + √(1−c²) z2), c = q12/√(q11 q22).
 *
 * @module
 */
import { erf } from "../numerics/erf.ts";

export const ACTIVATIONS = ["tanh", "relu", "erf", "linear"] as const;
/**
 * Activations offered only where their expectations are used in closed form (the isometry
 * pipeline): hard-tanh's kinks at ±1 would cost the 2-D Gauss–Hermite maps ≈ 1e-3.
 */
export const EXTRA_ACTIVATIONS = ["hard-tanh"] as const;
export type ActivationName = typeof ACTIVATIONS[number] | typeof EXTRA_ACTIVATIONS[number];

export interface Activation {
  readonly name: ActivationName;
  /** sup φ² is finite: q stays bounded and the generic fixed-point search applies. */
  readonly bounded: boolean;
  phi(x: number): number;
  dphi(x: number): number;
  d2phi(x: number): number;
  /** E φ(u1) φ(u2), closed form. */
  readonly pair?: (q11: number, q22: number, q12: number) => number;
  /** E φ'(u1) φ'(u2), closed form (the slope of the covariance map, Price's theorem). */
  readonly pairSlope?: (q11: number, q22: number, q12: number) => number;
}

const clampCorr = (c: number) => Math.max(-1, Math.min(1, c));
const corr = (q11: number, q22: number, q12: number) =>
  q11 > 0 && q22 > 0 ? clampCorr(q12 / Math.sqrt(q11 * q22)) : 1;

const tanh: Activation = {
  name: "tanh",
  bounded: true,
  phi: Math.tanh,
  dphi: (x) => {
    const t = Math.tanh(x);
    return 1 - t * t;
  },
  d2phi: (x) => {
    const t = Math.tanh(x);
    return -2 * t * (1 - t * t);
  },
};

/** ReLU: the arc-cosine kernel of degree 1 (Cho & Saul 2009), as in THEORY.md §1. */
const relu: Activation = {
  name: "relu",
  bounded: false,
  phi: (x) => (x > 0 ? x : 0),
  dphi: (x) => (x > 0 ? 1 : 0),
  d2phi: () => 0,
  pair: (q11, q22, q12) => {
    const c = corr(q11, q22, q12);
    return (Math.sqrt(q11 * q22) / (2 * Math.PI)) *
      (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c);
  },
  pairSlope: (q11, q22, q12) => (Math.PI - Math.acos(corr(q11, q22, q12))) / (2 * Math.PI),
};

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf (not erf(x/√2)): E erf(u1) erf(u2) = (2/π) arcsin(2 q12 / √((1+2q11)(1+2q22))). */
const erfAct: Activation = {
  name: "erf",
  bounded: true,
  phi: erf,
  dphi: (x) => TWO_OVER_SQRT_PI * Math.exp(-x * x),
  d2phi: (x) => -2 * x * TWO_OVER_SQRT_PI * Math.exp(-x * x),
  pair: (q11, q22, q12) =>
    (2 / Math.PI) * Math.asin(clampCorr((2 * q12) / Math.sqrt((1 + 2 * q11) * (1 + 2 * q22)))),
  // φ' = (2/√π) e^{-u²}; E e^{-u1²-u2²} = det(I + 2Σ)^{-1/2} for u ~ N(0, Σ).
  pairSlope: (q11, q22, q12) =>
    (4 / Math.PI) / Math.sqrt((1 + 2 * q11) * (1 + 2 * q22) - 4 * q12 * q12),
};

const linear: Activation = {
  name: "linear",
  bounded: false,
  phi: (x) => x,
  dphi: () => 1,
  d2phi: () => 0,
  pair: (_q11, _q22, q12) => q12,
  pairSlope: () => 1,
};

/** hard-tanh, clamp(x, −1, 1): φ' is 1 on |x| < 1, so E φ'(√q z)^{2k} = erf(1/√(2q)) for every k. */
const hardTanh: Activation = {
  name: "hard-tanh",
  bounded: true,
  phi: (x) => Math.max(-1, Math.min(1, x)),
  dphi: (x) => (Math.abs(x) < 1 ? 1 : 0),
  d2phi: () => 0,
};

const TABLE: Record<ActivationName, Activation> = {
  tanh,
  relu,
  erf: erfAct,
  linear,
  "hard-tanh": hardTanh,
};

/** The activation named `name`. */
export function activation(name: ActivationName): Activation {
  return TABLE[name];
}
