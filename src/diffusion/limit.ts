/**
 * The most K can be under a schedule, whatever the reverse process: K ≤ −H(X^1).
 *
 * With the true reverse kernels q(x^{t−1}|x^t) — the best any p(x^{t−1}|x^t) can do,
 * Gaussian or not — the t-th KL term of K (bound.ts) is I(X^{t−1}; X^0 | X^t). Along the
 * Markov chain these telescope, Σ_{t=2}^T I(X^{t−1}; X^0 | X^t) = I(X^1; X^0) − I(X^T; X^0),
 * and with K's edge terms (H_p(X^T) the cross-entropy of π, as bound.ts computes it)
 *
 *   K ≤ −H(X^1) − KL(q(x^T) ‖ π) ≤ −H(X^1).
 *
 * So the first step alone caps the bound: X^1 is the data shrunk by √(1−β_1) and blurred
 * by √β_1, and for data on a curve (the Swiss roll has no thickness) its entropy is set by
 * β_1. This needs neither the network nor the Gaussian ceiling (ceiling.ts), which must
 * lie below it: two routes to what a schedule allows, one exact for any kernel.
 *
 * H(X^1) is −E log p_1(X^1), by Monte Carlo over X^1 drawn exactly, with the density
 * p_1(y) = ∫_0^1 N(y; s·c(u), σ² I) du by the midpoint rule on nodes no more than σ/2
 * apart along the curve (the integrand is a Gaussian bump of width σ there, so the rule's
 * error is of order exp(−2π² (σ/h)²): nil). Where that needs more than `MAX_NODES` nodes
 * (β_1 ≲ 4e-6 on the roll), the thin-tube limit is used instead: a length element ds of the
 * curve, blurred across, gives H = E_u log(s·|c′(u)|) + ½ log(2πe σ²), exact as σ → 0
 * (errors of order σ² × curvature², < 1e-4 nats there); tests check the two agree.
 *
 * @module
 */
import { Rng } from "../random/rng.ts";
import { type Curve, SWISS_ROLL } from "./data.ts";

const LOG_2PI = Math.log(2 * Math.PI);
/** the quadrature's floor and ceiling on nodes along the curve */
const MIN_NODES = 400;
const MAX_NODES = 20_000;
/** Monte Carlo draws of X^1: −log p_1 has a spread of ≈ 1.05 nats on the roll, so ≈ 0.017 nats */
const LIMIT_SAMPLES = 4000;

export interface CurveEntropy {
  /** nats */
  readonly entropy: number;
  /** the Monte Carlo standard error (0 for the thin-tube limit) */
  readonly stderr: number;
  readonly method: "quadrature" | "tube";
}

/** The largest speed along the curve, from a 4,096-point grid with 5% to spare. */
function maxSpeed(curve: Curve): number {
  let top = 0;
  for (let i = 0; i <= 4096; i++) top = Math.max(top, curve.speed(i / 4096));
  return 1.05 * top;
}

/** The curve's length, ∫ |c′(u)| du (a 10,000-point midpoint rule). */
export function curveLength(curve: Curve): number {
  const n = 10_000;
  let s = 0;
  for (let i = 0; i < n; i++) s += curve.speed((i + 0.5) / n);
  return s / n;
}

/** Nodes the midpoint rule needs for blur σ on the curve scaled by s (σ/2 apart). */
export function quadratureNodes(curve: Curve, scale: number, sigma: number): number {
  return Math.max(MIN_NODES, Math.ceil((2 * scale * maxSpeed(curve)) / sigma));
}

/**
 * Entropy (nats) of Y = s·c(U) + σ Z, U uniform on [0, 1], Z ~ N(0, I₂): Monte Carlo over
 * `samples` exact draws of Y, each log p(Y) by the midpoint rule along the curve.
 */
export function blurredCurveEntropy(
  curve: Curve,
  scale: number,
  sigma: number,
  samples: number,
  rng: Rng,
): CurveEntropy {
  const nodes = quadratureNodes(curve, scale, sigma);
  const cx = new Float64Array(nodes), cy = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) {
    const [x, y] = curve.point((i + 0.5) / nodes);
    cx[i] = scale * x;
    cy[i] = scale * y;
  }
  const r2 = new Float64Array(nodes);
  const twoVar = 2 * sigma * sigma;
  // log p = log Σ_i exp(−r_i²/2σ²) − log nodes − log(2πσ²); terms 60 nats under the
  // largest add nothing in float64 and are skipped
  const logNorm = -Math.log(nodes) - LOG_2PI - 2 * Math.log(sigma);
  let sum = 0, sumSq = 0;
  for (let j = 0; j < samples; j++) {
    const [px, py] = curve.point(rng.uniform());
    const yx = scale * px + sigma * rng.normal();
    const yy = scale * py + sigma * rng.normal();
    let least = Infinity;
    for (let i = 0; i < nodes; i++) {
      const dx = yx - cx[i], dy = yy - cy[i];
      r2[i] = dx * dx + dy * dy;
      if (r2[i] < least) least = r2[i];
    }
    let s = 0;
    const cut = least + 60 * twoVar;
    for (let i = 0; i < nodes; i++) if (r2[i] < cut) s += Math.exp(-(r2[i] - least) / twoVar);
    const negLog = -(Math.log(s) - least / twoVar + logNorm);
    sum += negLog;
    sumSq += negLog * negLog;
  }
  const mean = sum / samples;
  const spread = Math.sqrt(Math.max(0, sumSq / samples - mean * mean));
  return { entropy: mean, stderr: spread / Math.sqrt(samples), method: "quadrature" };
}

/**
 * The thin-tube limit σ → 0 of the same entropy: the curve's own entropy per unit length,
 * E_u log(s·|c′(u)|) (a 100,000-point midpoint rule), plus a 1-D Gaussian's across it.
 */
export function tubeEntropy(curve: Curve, scale: number, sigma: number): CurveEntropy {
  const n = 100_000;
  let along = 0;
  for (let i = 0; i < n; i++) along += Math.log(scale * curve.speed((i + 0.5) / n));
  const across = 0.5 * (LOG_2PI + 1 + 2 * Math.log(sigma));
  return { entropy: along / n + across, stderr: 0, method: "tube" };
}

/**
 * The Swiss roll's limit under first step β_1: −H(X^1) in bits, the largest K any reverse
 * process reaches (≈ 0.02 bits of Monte Carlo error; ≈ 0.1 s at the paper's β_1, ≈ 0.3 s
 * at 1e-5). A property of the schedule, not of a run: by default its own fixed stream, so
 * every run with the same β_1 draws the same line and the run's stream is untouched.
 */
export function swissRollLimit(beta1: number, rng = new Rng(1), samples = LIMIT_SAMPLES) {
  const scale = Math.sqrt(1 - beta1), sigma = Math.sqrt(beta1);
  const h = quadratureNodes(SWISS_ROLL, scale, sigma) > MAX_NODES
    ? tubeEntropy(SWISS_ROLL, scale, sigma)
    : blurredCurveEntropy(SWISS_ROLL, scale, sigma, samples, rng);
  return { bits: -h.entropy / Math.LN2, stderrBits: h.stderr / Math.LN2, method: h.method };
}
