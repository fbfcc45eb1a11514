/**
 * diffusion: a diffusion probabilistic model (Sohl-Dickstein et al. 2015) on the
 * 2-D Swiss roll or binary heartbeat sequences. The forward process destroys the
 * structure step by step; a network learns each reverse step by raising
 * the log-likelihood bound K; entropy along both directions sits between the
 * bounds the forward schedule alone implies. Trained and evaluated in float32 on
 * the project's SIMD kernels (src/diffusion/simd_model.ts) against a float64 reference.
 */
import { definePipeline, type Emit, RunError } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { DATASETS, heartbeat, HEARTBEAT_LOG_LIKELIHOOD, swissRoll } from "../src/diffusion/data.ts";
import { checkSchedule, makeSchedule, SCHEDULES } from "../src/diffusion/schedule.ts";
import { ReverseModel } from "../src/diffusion/model.ts";
import { PRESETS, resolveSettings } from "../src/diffusion/presets.ts";
import { bound, klPerStep, nullRates } from "../src/diffusion/bound.ts";
import {
  CEILING_MAX_T,
  CEILING_TEST,
  ceilingPoints,
  gaussianCeiling,
} from "../src/diffusion/ceiling.ts";
import { swissRollLimit } from "../src/diffusion/limit.ts";
import { float32Net, trainReverse } from "../src/diffusion/train.ts";
import { marginals } from "../src/diffusion/marginals.ts";

const SD = "Sohl-Dickstein et al., ICML 2015 (arXiv:1503.03585)";
/** Table 1: the Swiss roll's K in bits per example */
export const PAPER_SWISS_ROLL_K = 2.35;

export default definePipeline({
  id: "diffusion",
  title: "Diffusion that reverses time: Swiss roll and heartbeat",
  cite: `${SD}, §2, Table 1, Figs. 1–2`,
  description:
    "A forward diffusion turns data into noise in T small steps; a network learns each reverse step by raising a bound K on the " +
    "log-likelihood. Entropy rises along the forward process and falls along the learned reverse one, each step's between " +
    "bounds set by the forward schedule alone.",
  params: {
    dataset: {
      kind: "enum",
      values: DATASETS,
      default: "swiss-roll",
      help:
        "swiss-roll (2-D, unit variance per dimension; Gaussian diffusion) or heartbeat (20 bits; binomial diffusion)",
      cite: `${SD}, Table 1`,
    },
    preset: {
      kind: "enum",
      values: PRESETS,
      default: "slide",
      help:
        "recipe for schedule, network and training length (any of those given explicitly wins): slide (rebuilds the Swiss roll within a minute), table1 (the paper's K in ≤ 5 min), released (the released code's schedule and one layer of 16: K cannot pass −3.04 bits)",
      cite: `${SD}, Table 1; docs/pipelines/diffusion.md`,
    },
    steps: {
      kind: "number",
      default: 0,
      min: 0,
      max: 5000,
      integer: true,
      help: "T, diffusion steps; 0: the paper's (40 for the Swiss roll, 2000 for the heartbeat)",
      cite: `${SD}, Appendix D.1`,
    },
    schedule: {
      kind: "enum",
      values: ["preset", ...SCHEDULES],
      default: "preset",
      help:
        "preset (the preset's: geometric 1e-5 → 0.3 for the Swiss roll, paper for the heartbeat), paper (Gaussian: the released code's 1/linspace(T, 2, T), β_1 + 1e-3; binomial: 1/(T − t + 1)), geometric or linear from beta_min to beta_max",
      cite: `${SD}, §2.4.1`,
    },
    beta_min: {
      kind: "number",
      default: 0,
      min: 0,
      max: 0.999,
      help:
        "geometric/linear schedules: β_1; 0: the preset's (1e-5: K can reach 2.62 bits, the released β_1 ≈ 0.026 caps it at −3.04)",
    },
    beta_max: {
      kind: "number",
      default: 0,
      min: 0,
      max: 0.999,
      help: "geometric/linear schedules: β_T; 0: the preset's (0.3)",
    },
    hidden: {
      kind: "number",
      default: 0,
      min: 0,
      max: 256,
      integer: true,
      help:
        "tanh units per hidden layer; 0: the preset's (Swiss roll 64; released 16, the paper's; heartbeat 50, the paper's)",
      cite: `${SD}, Appendix D.1`,
    },
    layers: {
      kind: "number",
      default: 0,
      min: 0,
      max: 8,
      integer: true,
      help:
        "hidden layers; 0: the preset's (Swiss roll: slide and table1 8, released 1; heartbeat 3, the paper's); a small β_1 needs depth",
    },
    basis: {
      kind: "number",
      default: 0,
      min: 0,
      max: 5000,
      integer: true,
      help: "bump functions of t in the readout; 0: one readout per step for T ≤ 100, else 20",
    },
    train_steps: {
      kind: "number",
      default: 0,
      min: 0,
      max: 1_000_000,
      integer: true,
      help:
        "Adam steps on the bound; 0: the preset's (Swiss roll: slide 6,000, table1 30,000, released 4,000; heartbeat 40,000)",
    },
    batch: {
      kind: "number",
      default: 200,
      min: 1,
      max: 10000,
      integer: true,
      help: "examples per step (each at its own random t)",
    },
    lr: {
      kind: "number",
      default: 0.003,
      min: 1e-7,
      max: 10,
      help: "Adam learning rate (divided by 10 for the last 30% of steps)",
    },
    train_size: {
      kind: "number",
      default: 10000,
      min: 10,
      max: 1_000_000,
      integer: true,
      help: "training examples",
    },
    test_size: {
      kind: "number",
      default: 1000,
      min: 10,
      max: 100_000,
      integer: true,
      help: "held-out examples for K",
    },
    evals: {
      kind: "number",
      default: 20,
      min: 1,
      max: 1000,
      integer: true,
      help: "evaluations of K on held-out data during training",
    },
    particles: {
      kind: "number",
      default: 1000,
      min: 10,
      max: 5000,
      integer: true,
      help: "particles for the entropy estimates and the sample stream",
    },
  },
  check(p) {
    if (p.steps === 1) {
      throw new ParamError("steps", "must be at least 2 (or 0 for the paper's), got 1");
    }
    const s = resolveSettings(p);
    if (s.schedule !== "paper" && !(s.beta_min <= s.beta_max)) {
      throw new ParamError(
        "beta_min",
        `must be at most beta_max (${s.beta_max}), got ${s.beta_min}`,
      );
    }
    if (p.basis > s.steps) {
      throw new ParamError("basis", `must be at most T (${s.steps}), got ${p.basis}`);
    }
  },
  streams: {
    setup: {
      doc:
        "One row first: the settings the run resolved from its preset and params (what `--preset` expands to).",
      fields: {
        preset: "the preset",
        schedule: "the schedule used",
        beta_min: "β_1",
        beta_max: "β_T",
        T: "diffusion steps",
        hidden: "tanh units per hidden layer",
        layers: "hidden layers",
        basis: "temporal basis functions of the readout",
        train_steps: "Adam steps",
        parameters: "the reverse network's parameter count",
        trainer:
          "how the network is trained: simd-float32 (batched, WebAssembly SIMD) or webgpu-float32 (WGSL kernels; the reverse chain's sampling stays on WebAssembly SIMD)",
      },
    },
    bound: {
      doc:
        "K on held-out data, per example in bits (Table 1), and K minus the null model's log-likelihood.",
      fields: {
        step: "training step",
        K_bits: "K, the log-likelihood lower bound, bits per example",
        K_minus_null_bits:
          "K − L_null (null: unit Gaussian; independent Bernoulli bits for the heartbeat)",
        reference_bits:
          "the paper's K (Swiss roll 2.35) or the true log-likelihood (heartbeat −2.322)",
        limit_bits:
          "Swiss roll: −H(X^1), the highest K any reverse process reaches under this schedule's β_1, by quadrature (limit.ts); null for the heartbeat",
        ceiling_bits:
          "Gaussian data, T ≤ 200: the highest K any Gaussian reverse kernel reaches under this schedule (each step moment-matched to the true reverse, from training data); null for the heartbeat and longer chains",
      },
    },
    kl_by_step: {
      doc:
        "After training, Swiss roll with T ≤ 200 (where the ceiling is computed): each reverse step's KL term of K on held-out data, the model's beside the ideal Gaussian kernels' — where in time the network falls short of the ceiling.",
      fields: {
        t: "step (2…T; step 1 is the forward kernel and has no KL term)",
        beta: "β_t",
        model_kl:
          "E KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)) with the trained network, nats per example",
        ideal_kl: "the same with the moment-matched kernels behind the ceiling, nats per example",
      },
    },
    loss: {
      doc:
        "The training objective: mean KL(q(x^{t−1}|x^t,x^0) ‖ p(x^{t−1}|x^t)) over the batch, nats.",
      fields: { step: "training step", loss: "nats per example per step" },
    },
    entropy: {
      doc:
        "Entropy of the marginal at each t along the forward process (data noised), the learned reverse one (noise denoised) and, for Gaussian data, the ideal reverse one behind the ceiling, nats; and the forward schedule's bounds on H_q(X^{t−1}|X^t).",
      fields: {
        t: "step",
        direction:
          '"forward", "reverse" (the model) or "ideal" (Gaussian data: the moment-matched reverse kernels of the ceiling)',
        beta: "β_t",
        entropy:
          "Swiss roll: Kozachenko–Leonenko 3-NN estimate from the particles; heartbeat forward: exact; heartbeat reverse: null (20 bits need ≫ 2^20 samples)",
        lower: "lower bound on H_q(X^{t−1}|X^t) (null at t = 0, and at t = 1 for Gaussian data)",
        upper: "upper bound H_q(X^t|X^{t−1})",
        model_step_entropy:
          "forward rows, t ≥ 2: the network's reverse step entropy H(X^{t−1}|X^t), averaged over forward samples x^t ~ q (nats); null elsewhere",
        ideal_step_entropy:
          "forward rows, t ≥ 2, Gaussian data with the ceiling: the same for the ideal Gaussian kernels (never below the true H_q(X^{t−1}|X^t)); null elsewhere",
        median_distance:
          "Swiss roll, at the particle frames (t = 0, T/4, T/2, 3T/4, T): the particles' median distance to the roll, unit-variance coordinates (noise ≈ 0.3; rebuilt ≈ √β_1); null elsewhere",
      },
      series: ["direction"],
    },
    samples: {
      doc:
        "Particles at t = 0, T/4, T/2, 3T/4, T in each direction (the Swiss roll's x, y; a heartbeat's bins as x = bin, y = bit).",
      fields: {
        t: "step",
        direction:
          '"forward" (data, noised), "reverse" (the model, from noise) or "ideal" (the ceiling\'s kernels, from the same noise)',
        particle: "particle index",
        x: "first coordinate",
        y: "second coordinate",
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "particles",
      title:
        "Particles at step t: data diffused forward; from noise, the ideal reverse process this schedule allows, and the model's",
      stream: "samples",
      x: "x",
      y: "y",
      points: true,
      group: "direction",
      facet: "direction",
      animate: "t",
    },
    {
      kind: "series",
      id: "entropy",
      title:
        "Entropy of each step's marginal (nats): forward, the model's reverse, the ideal reverse this schedule allows",
      stream: "entropy",
      x: "t",
      y: "entropy",
      group: "direction",
    },
    {
      kind: "series",
      id: "entropy-bounds",
      title:
        "Each reverse step's entropy H(X^{t−1}|X^t): the network's and the ideal kernels', between the bounds the schedule alone sets",
      stream: "entropy",
      x: "t",
      y: "upper",
      yLabel: "entropy, nats",
      lines: ["lower", "model_step_entropy", "ideal_step_entropy"],
      labels: {
        upper: "upper: H_q(X^t|X^{t−1})",
        lower: "lower",
        model_step_entropy: "the network",
        ideal_step_entropy: "ideal Gaussian kernels",
      },
    },
    {
      kind: "series",
      id: "bound",
      title:
        "Log-likelihood bound K (bits) on held-out data, beside the paper's value (truth for the heartbeat), the most any reverse process can reach under this schedule, and the most Gaussian kernels can",
      stream: "bound",
      x: "step",
      y: "K_bits",
      yLabel: "K, bits per example",
      lines: ["reference_bits", "limit_bits", "ceiling_bits"],
      labels: {
        K_bits: "K, this run",
        reference_bits: "paper (heartbeat: truth)",
        limit_bits: "limit, any reverse process: −H(X^1)",
        ceiling_bits: "ceiling, Gaussian kernels",
      },
    },
    {
      kind: "series",
      id: "kl-by-step",
      title:
        "What each reverse step costs K (KL, nats): the network against the ideal kernels — the shortfall sits next to the data",
      stream: "kl_by_step",
      x: "t",
      y: "model_kl",
      yLabel: "KL, nats per example",
      lines: ["ideal_kl"],
      labels: { model_kl: "the network", ideal_kl: "ideal Gaussian kernels" },
      yLog: true,
    },
    {
      kind: "series",
      id: "loss",
      title: "Training loss (KL, nats)",
      stream: "loss",
      x: "step",
      y: "loss",
    },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const s = resolveSettings(p);
      const { binomial, basis } = s;
      const T = s.steps;
      const hidden = Array<number>(s.layers).fill(s.hidden);
      const beta = makeSchedule(s.schedule, T, binomial, s.beta_min, s.beta_max);
      try {
        checkSchedule(beta, binomial);
      } catch (e) {
        throw new RunError(`schedule ${s.schedule}: ${(e as Error).message}`, {
          param: "schedule",
        });
      }
      const d = binomial ? 20 : 2;
      const draw = (n: number) => binomial ? heartbeat(n, ctx.rng) : swissRoll(n, ctx.rng);
      const train = draw(p.train_size);
      const test = draw(p.test_size);
      const rates = binomial ? nullRates(train, d) : undefined;
      const kind = binomial ? "binomial" : "gaussian";
      const model = new ReverseModel({ kind, d, hidden, basis }, beta);
      const theta = model.init(ctx.rng);
      // every batch of the run (training steps, the bound's KLs) on the GPU where the float32
      // engine is WebGPU, else spread over the kernel pool in shards
      const device = ctx.float32.device;
      const net = await float32Net(model, theta, device);
      yield {
        stream: "setup",
        row: {
          preset: s.preset,
          schedule: s.schedule,
          beta_min: beta[0],
          beta_max: beta[T - 1],
          T,
          hidden: s.hidden,
          layers: s.layers,
          basis,
          train_steps: s.train_steps,
          parameters: model.n,
          trainer: device ? "webgpu-float32" : "simd-float32",
        },
      };
      const reference = binomial ? HEARTBEAT_LOG_LIKELIHOOD / Math.LN2 : PAPER_SWISS_ROLL_K;
      // What the schedule allows any Gaussian reverse kernel, so a K below the paper's can be
      // told apart: a model short of this ceiling, or a ceiling short of the paper (ceiling.ts).
      // ...and what the schedule allows any reverse process at all: −H(X^1) (limit.ts)
      const limit = binomial ? null : swissRollLimit(beta[0]).bits;
      const withCeiling = !binomial && T <= CEILING_MAX_T;
      const ceilingTrain = train.subarray(0, ceilingPoints(beta[0], p.train_size) * d);
      const ceiling = !withCeiling ? null : await gaussianCeiling(
        beta,
        ceilingTrain,
        test.subarray(0, Math.min(p.test_size, CEILING_TEST) * d),
        d,
        ctx.rng,
        ctx.tick,
      );
      const evaluate = async (step: number): Promise<Emit> => {
        const b = await bound(net, test, ctx.rng, rates);
        const row = {
          step,
          K_bits: b.kBits,
          K_minus_null_bits: b.kBits - b.nullBits,
          reference_bits: reference,
          limit_bits: limit,
          ceiling_bits: ceiling?.bits ?? null,
        };
        return { stream: "bound", row };
      };
      yield await evaluate(0);

      // --- training: each example at its own t, uniform on 2…T ---
      const training = trainReverse(
        model,
        net,
        theta,
        train,
        {
          steps: s.train_steps,
          batch: p.batch,
          lr: p.lr,
          evals: p.evals,
        },
        ctx.rng,
        ctx.tick,
      );
      for await (const e of training) {
        ctx.progress(e.step, s.train_steps);
        yield e.evaluate
          ? await evaluate(e.step)
          : { stream: "loss", row: { step: e.step, loss: e.loss } };
      }

      // --- where the bound is lost, step by step: the network's KL terms beside the ideal's ---
      // (with the ceiling only: the Swiss roll's net is small, so this is ≈ 0.2 s at T = 40;
      // the heartbeat's 3 × 50 over every step would hold the event loop for seconds)
      if (ceiling) {
        const modelKl = await klPerStep(net, test, ctx.rng);
        for (let t = 2; t <= T; t++) {
          yield {
            stream: "kl_by_step",
            row: {
              t,
              beta: beta[t - 1],
              model_kl: modelKl[t],
              ideal_kl: ceiling.kl[t],
            },
          };
        }
        await ctx.tick();
      }

      // --- entropy along both directions, and particles ---
      yield* marginals({
        beta,
        binomial,
        net,
        ceilingTrain: withCeiling ? ceilingTrain : null,
        x0: draw(p.particles),
        rng: ctx.rng,
        tick: ctx.tick,
      });
    });
  },
});
