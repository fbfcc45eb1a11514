/**
 * isometry: the singular values of a deep random network's input–output Jacobian on the
 * critical line χ1 = 1 (Pennington, Schoenholz & Ganguli 2017). Orthogonal weights with tanh
 * at small q* keep every squared singular value near 1 at any depth (dynamical isometry);
 * Gaussian weights, or ReLU, spread them in proportion to depth. Float64 TypeScript
 * (src/isometry), reusing the signal-propagation maps for the critical point.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import {
  activation,
  type ActivationName,
  ACTIVATIONS,
  EXTRA_ACTIVATIONS,
} from "../src/signal/activations.ts";
import { criticalPoint, UnreachableError } from "../src/isometry/critical_point.ts";
import { jacobianMoments, WEIGHTS, type Weights } from "../src/isometry/moments.ts";
import { sampleJacobianSpectra } from "../src/isometry/jacobian.ts";
import { jacobianDensity, jacobianEdge } from "../src/isometry/free_density.ts";
import { SPEED_CONFIGS, trainForSpeed } from "../src/isometry/training.ts";
import { mnistDigits } from "../src/linear/mnist.ts";
import { binEdges, countInBins, logspace, meanAndError } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";

const PSG = "Pennington, Schoenholz & Ganguli, NIPS 2017 (arXiv:1711.04735)";
/** bins of each spectrum, on a log axis */
const BINS = 30;
/** points of each theoretical density, on a log grid over the sampled range */
const THEORY_POINTS = 120;
/**
 * The learning-speed comparison's sizes: two cores train a 16 × 128 net at ≈ 65 ms a step
 * (tfjs-wasm), and at this depth the four starts already part clearly (docs/pipelines/isometry.md).
 */
const SPEED = { depth: 16, width: 128, lr: 0.005, batch: 100, every: 10, trainPerClass: 200 };

/** 1, 2, 4, … up to `depth`, and `depth` itself: where the spectrum is shown. */
const shownDepths = (depth: number) => {
  const out: number[] = [];
  for (let d = 1; d < depth; d *= 2) out.push(d);
  out.push(depth);
  return out;
};

export default definePipeline({
  id: "isometry",
  title: "Dynamical isometry: Jacobian spectra on the critical line",
  cite: `${PSG}, Eqs. 8–9, Figs. 1–2`,
  description:
    "The squared singular values of the end-to-end Jacobian of a deep random network at χ1 = 1. With orthogonal weights and tanh at small q* they stay near 1 at any depth; Gaussian weights or ReLU spread them in proportion to depth.",
  memory: ["width"],
  params: {
    activation: {
      kind: "enum",
      values: [...ACTIVATIONS, ...EXTRA_ACTIVATIONS],
      default: "tanh",
      help:
        "φ; ReLU and linear are scale-free: on the critical line for every q* at σw² = 2, 1; hard-tanh = clamp(x, −1, 1), in closed form",
    },
    weights: {
      kind: "enum",
      values: ["both", ...WEIGHTS],
      default: "both",
      help: "gaussian (W_ij ~ N(0, σw²/N)), orthogonal (√σw² × Haar), or both side by side",
      cite: `${PSG}, §2`,
    },
    q_star: {
      kind: "number",
      default: 1 / 64,
      min: 1e-4,
      max: 100,
      help:
        "q*, the fixed point to sit at: σw² = 1/E φ'(√q* z)² puts it on χ1 = 1, and σb² = q* − σw² E φ² makes q* the fixed point (must come out ≥ 0)",
      cite: `${PSG}, §2: isometry needs small q*`,
    },
    depth: {
      kind: "number",
      default: 64,
      min: 1,
      max: 256,
      integer: true,
      help: "L, layers (spectra at 1, 2, 4, …, L)",
    },
    width: {
      kind: "number",
      default: 200,
      min: 4,
      max: 1000,
      integer: true,
      help: "N, units per layer (cost ∝ N³ L a draw)",
    },
    draws: {
      kind: "number",
      default: 3,
      min: 1,
      max: 100,
      integer: true,
      help: "networks sampled per weight kind",
    },
    train_steps: {
      kind: "number",
      default: 0,
      min: 0,
      max: 5000,
      integer: true,
      help:
        "the consequence: SGD steps on MNIST for four 16 × 128 nets on the critical line (isometric orthogonal tanh, orthogonal tanh at q* = 4, Gaussian tanh, ReLU); 0 skips it (200 steps ≈ 1 min)",
      cite: `${PSG}, Figs. 4–5`,
    },
  },
  check(p) {
    try {
      criticalPoint(activation(p.activation as ActivationName), p.q_star);
    } catch (e) {
      if (e instanceof UnreachableError) throw new ParamError("q_star", e.message);
      throw e;
    }
  },
  streams: {
    training: {
      doc:
        "With train_steps > 0: four networks of equal depth and width trained by SGD on 2,000 MNIST digits; the batch loss and the accuracy on 1,000 held-out digits every 10 steps.",
      fields: {
        config: "the start: weights, φ and q*",
        step: "SGD step",
        loss: "cross-entropy on the step's batch",
        accuracy: "held-out accuracy",
      },
      series: ["config"],
    },
    "critical-point": {
      notation: { q_star: "q*", sigma_w2: "σw²", sigma_b2: "σb²", mu1: "μ1", mu2: "μ2" },
      doc: "Where the network sits: σw², σb² for χ1 = 1 at the chosen q*, and the moments of φ'².",
      fields: {
        q_star: "q*",
        sigma_w2: "σw²",
        sigma_b2: "σb²",
        mu1: "μ1 = E φ'(√q* z)²",
        mu2: "μ2 = E φ'(√q* z)⁴",
      },
    },
    moments: {
      doc:
        "Mean and variance of the eigenvalues of JJᵀ against depth, and the largest: theory (Eqs. 8–9) and the sampled networks' average.",
      fields: {
        weights: '"gaussian" or "orthogonal"',
        depth: "L",
        mean: "mean eigenvalue of JJᵀ (1 on the critical line)",
        variance: "their variance: L (μ2/μ1² − 1 − s1), s1 = −1 Gaussian, 0 orthogonal",
        variance_error: "simulation: standard error over the draws; null for theory",
        max:
          "the largest eigenvalue: averaged over draws; theory, the spectrum's edge (free probability: 1/max χ_J on the real axis)",
        source: '"theory" or "simulation"',
      },
      series: ["weights", "source"],
    },
    spectrum: {
      notation: { lambda: "λ" },
      doc:
        "The eigenvalues of JJᵀ at depths 1, 2, 4, …, L: sampled, pooled over draws, as a density on log-spaced bins from the 1st percentile to the largest (the first bin also holds all below it); and the free-probability density (S-transforms multiplied, src/isometry/free_density.ts) on a log grid over the same range.",
      fields: {
        weights: '"gaussian" or "orthogonal"',
        depth: "L",
        lo: "bin's lower edge (theory: = lambda)",
        hi: "bin's upper edge (theory: = lambda)",
        lambda: "bin's geometric centre",
        density: "eigenvalues per unit λ in the bin, a fraction of all",
        source: '"simulation" or "theory"',
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "variance",
      title:
        "Spread of the squared singular values against depth: orthogonal stays flat, Gaussian grows ∝ L",
      stream: "moments",
      x: "depth",
      y: "variance",
      by: "source",
      group: "weights",
      xLog: true,
      yLog: true,
    },
    ...WEIGHTS.map((w) => ({
      kind: "series" as const,
      id: `spectrum-${w}`,
      title: `Eigenvalues of JJᵀ, ${w} weights, at depths 1, 2, 4, …`,
      stream: "spectrum",
      x: "lambda",
      y: "density",
      group: "depth",
      filter: { field: "weights", value: w },
      xLog: true,
      yLog: true,
    })),
    {
      kind: "series",
      id: "training",
      title: "Why it matters (train_steps > 0): held-out accuracy of four 16 × 128 nets on MNIST",
      stream: "training",
      x: "step",
      y: "accuracy",
      by: "config",
    },
    { kind: "table", id: "critical-point", title: "Critical point", stream: "critical-point" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const act = activation(p.activation as ActivationName);
      const point = criticalPoint(act, p.q_star);
      yield { stream: "critical-point", row: { ...point } };
      const kinds: Weights[] = p.weights === "both" ? [...WEIGHTS] : [p.weights as Weights];
      const depths = shownDepths(p.depth);
      let done = 0;
      for (const weights of kinds) {
        for (let depth = 1; depth <= p.depth; depth++) {
          const t = jacobianMoments(point, weights, depth);
          yield {
            stream: "moments",
            row: {
              weights,
              depth,
              ...t,
              variance_error: null,
              max: jacobianEdge(act, point, weights, depth),
              source: "theory",
            },
          };
        }
        const pooled = depths.map(() => [] as number[]);
        const stats = depths.map(() => ({
          mean: [] as number[],
          variance: [] as number[],
          max: [] as number[],
        }));
        for (let draw = 0; draw < p.draws; draw++) {
          // each network its own stream, so the number of depths shown does not shift the draws
          const rng = new Rng(ctx.rng.int32() >>> 0);
          sampleJacobianSpectra(act, point, weights, p.width, depths, rng, (depth, ev) => {
            const k = depths.indexOf(depth);
            const m = ev.reduce((a, b) => a + b, 0) / ev.length;
            stats[k].mean.push(m);
            stats[k].variance.push(ev.reduce((a, b) => a + (b - m) ** 2, 0) / ev.length);
            stats[k].max.push(ev[ev.length - 1]);
            for (const e of ev) pooled[k].push(e);
          });
          ctx.progress(++done, kinds.length * p.draws);
          await ctx.tick();
        }
        for (const [k, depth] of depths.entries()) {
          const v = meanAndError(stats[k].variance);
          yield {
            stream: "moments",
            row: {
              weights,
              depth,
              mean: meanAndError(stats[k].mean).mean,
              variance: v.mean,
              variance_error: Number.isFinite(v.stderr) ? v.stderr : null,
              max: meanAndError(stats[k].max).mean,
              source: "simulation",
            },
          };
          // log bins from the 1st percentile (at least 1e-12 of the top: ReLU's exact zeros) to
          // the top; the first bin also holds everything below it, so the masses sum to 1
          const ev = Float64Array.from(pooled[k]).sort();
          const top = ev[ev.length - 1];
          const lo = Math.max(ev[Math.floor(0.01 * (ev.length - 1))], 1e-12 * top);
          if (!(top > lo)) continue;
          // the free-probability density over the same range
          const grid = logspace(lo, top, THEORY_POINTS);
          // D²'s law enters as Gauss–Hermite atoms: at shallow depth the density would be their
          // comb unless smoothed on the scale of their spacing (ε = 2% of λ; the tests hold the
          // unsmoothed law to closed forms)
          const rho = jacobianDensity(act, point, weights, depth, grid, { epsilon: 0.02 });
          for (const [i, lambda] of grid.entries()) {
            if (!(rho[i] > 0)) continue; // outside the support (or not converged): nothing to draw
            yield {
              stream: "spectrum",
              row: {
                weights,
                depth,
                lo: lambda,
                hi: lambda,
                lambda,
                density: rho[i],
                source: "theory",
              },
            };
          }
          for (const b of countInBins(ev, binEdges(lo, top, { bins: BINS, scale: "log" }))) {
            if (b.count === 0) continue;
            yield {
              stream: "spectrum",
              row: {
                weights,
                depth,
                lo: b.lo,
                hi: b.hi,
                lambda: Math.sqrt(b.lo * b.hi),
                density: b.count / ev.length / (b.hi - b.lo),
                source: "simulation",
              },
            };
          }
        }
      }
      if (p.train_steps > 0) {
        const train = mnistDigits(0, SPEED.trainPerClass);
        const test = mnistDigits(800, 900);
        for (const [k, c] of SPEED_CONFIGS.entries()) {
          const rng = new Rng(ctx.rng.int32() >>> 0);
          const runs = trainForSpeed(
            ctx.tf,
            c,
            train,
            test,
            { ...SPEED, steps: p.train_steps },
            rng,
            ctx.tick,
          );
          for await (const r of runs) {
            yield { stream: "training", row: { config: c.config, ...r } };
            ctx.progress(k * p.train_steps + r.step, SPEED_CONFIGS.length * p.train_steps);
          }
        }
      }
    });
  },
});
