/**
 * The two numbers that govern a nonlinear Gram spectrum (Pennington & Worah 2017, Eq. 5;
 * THEORY.md §7): for f centred (E f(σz) = 0), η = E f(σz)² and ζ = [σ E f'(σz)]². ζ = η for
 * linear f; ζ = 0 makes the spectrum Marchenko–Pastur's. The family
 * f_a(x) = a x/σ + b (x²/σ² − 1)/√2, a² + b² = 1, holds η = 1 and sets ζ/η = a².
 *
 * @module
 */
import type { Activation } from "../signal/activations.ts";
import { expect1 } from "../numerics/gauss_hermite.ts";
import { meanSquare } from "../signal/maps.ts";

export interface GramActivation {
  readonly name: string;
  /** f, centred: its mean under N(0, σ²) removed */
  f(x: number): number;
  readonly eta: number;
  readonly zeta: number;
}

/** A pointwise φ at pre-activation scale σ, centred, with its η and ζ by quadrature. */
export function centred(act: Activation, sigma: number): GramActivation {
  // E f = 0 by symmetry for odd φ; ReLU's mean σ/√(2π) in closed form (its kink costs
  // Gauss–Hermite ≈ 1e-3); E φ² through the closed forms of src/signal where they exist
  const mean = act.name === "relu"
    ? sigma / Math.sqrt(2 * Math.PI)
    : expect1((z) => act.phi(sigma * z));
  const eta = meanSquare(act, sigma * sigma) - mean * mean;
  const slope = expect1((z) => act.dphi(sigma * z));
  return { name: act.name, f: (x) => act.phi(x) - mean, eta, zeta: (sigma * slope) ** 2 };
}

/** f = a x/σ + b (x²/σ² − 1)/√2 with a = √(ζ/η), b = √(1 − a²): η = 1, ζ = ζ/η. */
export function hermiteFamily(zetaOverEta: number, sigma: number): GramActivation {
  if (!(zetaOverEta >= 0 && zetaOverEta <= 1)) {
    throw new RangeError(`ζ/η must be in [0, 1], got ${zetaOverEta}`);
  }
  const a = Math.sqrt(zetaOverEta);
  const b = Math.sqrt(1 - zetaOverEta);
  return {
    name: "hermite",
    f: (x) => (a * x) / sigma + (b * ((x * x) / (sigma * sigma) - 1)) / Math.SQRT2,
    eta: 1,
    zeta: zetaOverEta,
  };
}
