/**
 * loss-landscape: critical points of a small tanh network's loss, their index
 * (the fraction of negative Hessian eigenvalues) against their error, beside
 * Pennington & Bahri's random-matrix prediction; eigenvalue spectra at a few of
 * them; and SGD, damped Newton and saddle-free Newton from the same start
 * (Dauphin et al. 2014). Everything is float64 TypeScript: the Hessians are
 * exact and small, so tfjs's float32 would only lose the small eigenvalues.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { countParams, TanhMlp } from "../src/landscape/mlp.ts";
import { makeTask, type Task, TASKS } from "../src/landscape/tasks.ts";
import { findCriticalPoint } from "../src/landscape/critical.ts";
import { optimizerComparison } from "../src/landscape/trajectories.ts";
import { adam } from "../src/landscape/sgd.ts";
import { criticalEnergy, index } from "../src/landscape/pennington_bahri.ts";
import { slq } from "../src/landscape/slq.ts";
import { exactSpectrum, slqSpectrum } from "../src/landscape/spectrum.ts";

const DAUPHIN = "Dauphin et al. 2014 (arXiv:1406.2572)";
const PB = "Pennington & Bahri, ICML 2017";
const GKX = "Ghorbani, Krishnan & Xiao, ICML 2019 (arXiv:1901.10159)";

/** Dense float64 Hessians and their eigendecompositions: ~1 s at this size (docs/benchmarks.md). */
export const MAX_PARAMS = 1500;
/** Krylov searches and SLQ keep ~k vectors of length n; 50,000 × 90 × 8 B = 36 MB. */
export const MAX_KRYLOV_PARAMS = 50_000;
export const HESSIAN_MODES = ["auto", "dense", "krylov"] as const;
/** error bands for choosing which spectra to show: the first point found in each */
const SPECTRUM_BANDS = [0, 0.1, 0.2, 0.3, 0.4, Infinity];

function sizesOf(p: { hidden: number; layers: number }, inputs: number, outputs: number) {
  return [inputs, ...Array(p.layers).fill(p.hidden), outputs];
}

export default definePipeline({
  id: "loss-landscape",
  title: "Loss landscapes: Hessian index against error, saddle-free Newton",
  cite: `${DAUPHIN}, §4 and Figs. 1, 4; ${PB}, Eq. 15 and Fig. 3`,
  description:
    "Newton-type searches drive a small tanh network's gradient to zero from points along training trajectories and at " +
    "random. At each critical point the exact float64 Hessian's spectrum gives its index α (fraction of negative eigenvalues): " +
    "high-error critical points are saddles, and α falls with the error, as the random-matrix model of Pennington & Bahri " +
    "predicts. SGD stalls on the plateau around a saddle; saddle-free Newton (|H|⁻¹) leaves it.",
  params: {
    task: {
      kind: "enum",
      values: TASKS,
      default: "mnist",
      help:
        "mnist (downsampled digits), memorize (Gaussian inputs and targets), teacher (a random tanh net's outputs)",
      cite: `${DAUPHIN}, §4 (MNIST 10×10); ${PB}, §5 (memorisation)`,
    },
    samples: {
      kind: "number",
      default: 60,
      min: 2,
      max: 1000,
      integer: true,
      help: "m, training examples (class-balanced for mnist)",
    },
    pixels: {
      kind: "number",
      default: 6,
      min: 2,
      max: 28,
      integer: true,
      help: "mnist: images downsampled to pixels × pixels (blank pixels dropped)",
      cite: `${DAUPHIN}, §4 (10×10; 6×6 keeps a live run to minutes)`,
    },
    inputs: {
      kind: "number",
      default: 16,
      min: 1,
      max: 200,
      integer: true,
      help: "memorize/teacher: input dimension",
    },
    outputs: {
      kind: "number",
      default: 4,
      min: 1,
      max: 50,
      integer: true,
      help: "memorize/teacher: outputs k (mnist has 10)",
    },
    hidden: {
      kind: "number",
      default: 5,
      min: 1,
      max: 200,
      integer: true,
      help: "tanh units per hidden layer",
    },
    layers: {
      kind: "number",
      default: 1,
      min: 1,
      max: 2,
      integer: true,
      help: "hidden layers",
    },
    critical_points: {
      kind: "number",
      default: 30,
      min: 1,
      max: 1000,
      integer: true,
      help: "searches to run; a third start at random points, the rest along Adam trajectories",
    },
    grad_tol: {
      kind: "number",
      default: 1e-5,
      min: 1e-14,
      max: 1e-1,
      help:
        "a search has converged when ‖∇ε‖ is below this (ε is O(½): 1e-5 is four decades below a start's gradient)",
    },
    max_iterations: {
      kind: "number",
      default: 60,
      min: 1,
      max: 1000,
      integer: true,
      help: "Newton (Levenberg–Marquardt) iterations per search before it is discarded",
    },
    decay: {
      kind: "number",
      default: 0,
      min: 0,
      max: 1,
      help: "κ, a weight decay (κ/2)‖θ‖² in the objective searched (ε reported without it)",
    },
    start_scale: {
      kind: "number",
      default: 0.1,
      min: 1e-4,
      max: 10,
      help:
        "scale of the optimizers' common start (weights ~ N(0, scale²/fan-in)): small starts sit near the saddle at 0",
      cite: `${DAUPHIN}, §7 (plateaus near saddles)`,
    },
    sgd_steps: {
      kind: "number",
      default: 3000,
      min: 2,
      max: 100000,
      integer: true,
      help: "SGD updates (the switching run changes to saddle-free Newton half-way)",
    },
    lr: {
      kind: "number",
      default: 0.05,
      min: 1e-6,
      max: 100,
      help: "SGD learning rate",
    },
    batch: {
      kind: "number",
      default: 10,
      min: 1,
      max: 1000,
      integer: true,
      help: "SGD minibatch size",
    },
    newton_steps: {
      kind: "number",
      default: 40,
      min: 1,
      max: 1000,
      integer: true,
      help: "damped and saddle-free Newton steps",
    },
    hessian: {
      kind: "enum",
      values: HESSIAN_MODES,
      default: "auto",
      help:
        `dense: exact Hessians, full spectra (n ≤ ${MAX_PARAMS}); krylov: Hessian-vector products only — Krylov searches and SLQ spectra (n ≤ ${MAX_KRYLOV_PARAMS}); auto: dense when it fits`,
      cite: `${GKX}, §2 (stochastic Lanczos quadrature)`,
    },
    slq_steps: {
      kind: "number",
      default: 90,
      min: 2,
      max: 500,
      integer: true,
      help: "krylov: Lanczos steps per SLQ probe (nodes of each Gauss rule)",
      cite: `${GKX}, §2 (90 steps)`,
    },
    slq_probes: {
      kind: "number",
      default: 5,
      min: 1,
      max: 100,
      integer: true,
      help: "krylov: random probe vectors averaged in SLQ",
    },
    krylov: {
      kind: "number",
      default: 40,
      min: 2,
      max: 500,
      integer: true,
      help:
        "Krylov subspace dimension k of the Newton steps (Lanczos on Hessian-vector products), and of the searches when hessian is krylov",
      cite: `${DAUPHIN}, Algorithm 1`,
    },
  },
  check(p) {
    const inputs = p.task === "mnist" ? p.pixels * p.pixels : p.inputs;
    const outputs = p.task === "mnist" ? 10 : p.outputs;
    const n = countParams(sizesOf(p, inputs, outputs));
    const shape = `${n} parameters (${p.layers} layer(s) of ${p.hidden} on ${inputs} inputs)`;
    if (p.hessian === "dense" && n > MAX_PARAMS) {
      throw new ParamError(
        "hidden",
        `gives ${shape}; dense Hessians allow at most ${MAX_PARAMS} (use hessian krylov)`,
      );
    }
    if (n > MAX_KRYLOV_PARAMS) {
      throw new ParamError("hidden", `gives ${shape}; at most ${MAX_KRYLOV_PARAMS} are allowed`);
    }
    if (p.batch > p.samples) {
      throw new ParamError("batch", `must be at most samples (${p.samples}), got ${p.batch}`);
    }
  },
  streams: {
    "critical-point": {
      doc: "A converged search: its error and index, as each is found.",
      fields: {
        point: "search number",
        error:
          "ε, training loss (1/(2mk)) Σ‖f − y‖² (targets unit-variance: ½ = predicting the mean)",
        index:
          "α, fraction of the Hessian's eigenvalues below −1e-9·max|λ| (dense) or SLQ weight below 0 (krylov)",
        index_lo:
          "α counting only eigenvalues below −δ (dense: δ = 1e-9·max|λ|; krylov: δ = spectrum width / slq_steps, what a Gauss rule of that many nodes resolves)",
        index_hi:
          "α counting eigenvalues below +δ: the true α lies between (krylov: up to sampling)",
        method: '"exact" (dense eigendecomposition) or "slq" (stochastic Lanczos quadrature)',
        grad_norm: "‖∇‖ at the point",
        n_params: "parameters n",
        lambda_min: "smallest Hessian eigenvalue (krylov: smallest Ritz value, an upper bound)",
        lambda_max: "largest Hessian eigenvalue (krylov: largest Ritz value, a lower bound)",
        zero: "eigenvalues within ±1e-9·max|λ| (flat directions; null for slq)",
        start: '"trajectory" or "random"',
      },
    },
    search: {
      notation: { start_steps: "Adam steps first", grad_norm: "‖∇‖" },
      doc: "Every search, converged or not (discarded ones are counted here).",
      fields: {
        point: "search number",
        start: '"trajectory" (Adam steps from a random init) or "random"',
        start_steps: "Adam steps before the search (0 for random starts)",
        status:
          '"converged", "max-iterations", "stalled" (a minimum of ‖∇‖² that is not 0) or "diverged"',
        iterations: "Newton iterations",
        grad_norm: "final ‖∇‖",
        seconds: "wall time of the search",
      },
    },
    spectrum: {
      doc:
        "Eigenvalue histograms of the first critical point found in each error band (0–0.1, …, 0.4+); bins span the 1st–99th percentile, outliers in the end bins. Under hessian krylov, expected counts from the SLQ density.",
      fields: {
        point: "search number",
        error: "its ε",
        lo: "bin's lower edge",
        hi: "bin's upper edge",
        count: "eigenvalues in the bin (krylov: expected, not whole)",
      },
    },
    training: {
      doc: "Training loss ε from one common start for each optimizer.",
      fields: {
        optimizer: '"sgd", "newton" (damped), "saddle-free", or "sgd→saddle-free"',
        step: "parameter updates so far",
        loss: "ε on the whole training set",
      },
      series: ["optimizer"],
    },
    theory: {
      doc: "Pennington & Bahri's α(ε) for this network's φ = n/(m·k).",
      fields: {
        error: "ε",
        index: "α(ε)",
        phi: "φ, parameters over examples × outputs",
        eps_c: "ε_c(φ): no negative eigenvalues below it",
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "index-error",
      title: "Critical points: index α against error ε (theory: Pennington & Bahri)",
      stream: "critical-point",
      x: "error",
      y: "index",
      points: true,
      overlay: { stream: "theory", x: "error", y: "index" },
    },
    {
      kind: "histogram",
      id: "spectra",
      title: "Hessian eigenvalues at critical points of different error (negative in red)",
      stream: "spectrum",
      lo: "lo",
      hi: "hi",
      count: "count",
      group: "point",
      label: "error",
    },
    {
      kind: "series",
      id: "optimizers",
      title: "SGD stalls near the saddle; saddle-free Newton leaves it",
      stream: "training",
      x: "step",
      y: "loss",
      group: "optimizer",
      xLog: true,
      yLog: true,
    },
    { kind: "table", id: "last-search", title: "Latest search", stream: "search" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const data = makeTask(p.task as Task, {
        samples: p.samples,
        pixels: p.pixels,
        inputs: p.inputs,
        outputs: p.outputs,
        hidden: Array(p.layers).fill(p.hidden),
      }, ctx.rng);
      const sizes = sizesOf(p, data.inputs, data.outputs);
      const net = new TanhMlp(sizes, data.x, data.y, data.m, p.decay);
      const dense = p.hessian === "dense" || (p.hessian === "auto" && net.n <= MAX_PARAMS);
      const phi = net.n / (data.m * data.outputs);
      const epsC = criticalEnergy(phi);
      for (let i = 0; i <= 60; i++) {
        const error = (0.55 * i) / 60;
        yield { stream: "theory", row: { error, index: index(phi, error), phi, eps_c: epsC } };
      }

      // --- optimizers from one common start near the saddle at θ = 0 ---
      const theta0 = net.init(ctx.rng, p.start_scale);
      const trajectories = optimizerComparison(
        net,
        theta0,
        {
          sgdSteps: p.sgd_steps,
          newtonSteps: p.newton_steps,
          batch: p.batch,
          lr: p.lr,
          krylov: p.krylov,
        },
        ctx.rng,
        ctx.tick,
      );
      for await (const row of trajectories) yield { stream: "training", row };

      // --- critical points ---
      const shown = new Set<number>();
      for (let point = 0; point < p.critical_points; point++) {
        const random = point % 3 === 2;
        const startSteps = random ? 0 : Math.round(10 ** (3 * ctx.rng.uniform()));
        const start = random
          ? net.init(ctx.rng, 0.5 + 2 * ctx.rng.uniform())
          : adam(net, net.init(ctx.rng, 1), startSteps, 0.01);
        const t0 = performance.now();
        const r = await findCriticalPoint(net, start, {
          tol: p.grad_tol,
          maxIterations: p.max_iterations,
          krylov: dense ? undefined : p.krylov,
          onIteration: async () => {
            if (ctx.signal.aborted) throw new DOMException("run stopped", "AbortError");
            await ctx.tick();
          },
        });
        yield {
          stream: "search",
          row: {
            point,
            start: random ? "random" : "trajectory",
            start_steps: startSteps,
            status: r.status,
            iterations: r.iterations,
            grad_norm: Number.isFinite(r.gradNorm) ? r.gradNorm : null,
            seconds: (performance.now() - t0) / 1000,
          },
        };
        ctx.progress(point + 1, p.critical_points);
        if (r.status !== "converged") continue;
        const error = net.dataLoss(r.theta);
        const at = dense ? exactSpectrum(net.hessian(r.theta), net.n) : slqSpectrum(
          slq(net, r.theta, { steps: p.slq_steps, probes: p.slq_probes, rng: ctx.rng }),
          net.n,
          p.slq_steps,
        );
        yield {
          stream: "critical-point",
          row: {
            point,
            error,
            ...at.row,
            grad_norm: r.gradNorm,
            n_params: net.n,
            start: random ? "random" : "trajectory",
          },
        };
        const band = SPECTRUM_BANDS.findIndex((b, i) =>
          error >= b && error < SPECTRUM_BANDS[i + 1]
        );
        if (!shown.has(band)) {
          shown.add(band);
          for (const b of at.bins()) {
            yield { stream: "spectrum", row: { point, error, ...b } };
          }
        }
        await ctx.tick();
      }
    });
  },
});
