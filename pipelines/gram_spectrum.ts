/**
 * gram-spectrum: the eigenvalues of the Gram matrix of one random nonlinear layer,
 * M = YYᵀ/m with Y = f(WX), against Pennington & Worah's quartic (NIPS 2017). Two numbers of
 * f decide the law: η = E f² and ζ = (σ E f')²; ζ = 0 is Marchenko–Pastur, ζ = η a product of
 * Wishart matrices. Float64 TypeScript (src/gram).
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { activation, type ActivationName, ACTIVATIONS } from "../src/signal/activations.ts";
import { centred, type GramActivation, hermiteFamily } from "../src/gram/invariants.ts";
import { gramDensity } from "../src/gram/stieltjes.ts";
import { sampleGramSpectrum } from "../src/gram/sample.ts";
import { trainErrorSimulated, trainErrorTheory } from "../src/gram/memorization.ts";
import { compareToDensity } from "../src/stats/mod.ts";
import { Rng } from "../src/random/rng.ts";

const PW = "Pennington & Worah, NIPS 2017";
/** histogram bins of the sampled spectrum */
const BINS = 40;
/** points of the theoretical density */
const THEORY_POINTS = 400;
/** the memorisation sweep: ζ/η of the Hermite family (η = 1), and the ridge regularisers */
const MEMO_RATIOS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const MEMO_GAMMAS = [0.01, 0.1, 1];

export default definePipeline({
  id: "gram-spectrum",
  title: "Nonlinear random matrices: the Gram spectrum of one random layer",
  cite: `${PW}, Eqs. 5–10, Fig. 1`,
  description:
    "The eigenvalues of YYᵀ/m for Y = f(WX), one random layer, against the density from Pennington & Worah's quartic. Only η = E f² and ζ = (σ E f')² matter: ζ = 0 gives Marchenko–Pastur's law, ζ = η a product of two Wishart matrices.",
  memory: ["n1", "m", "n0"],
  params: {
    activation: {
      kind: "enum",
      values: [...ACTIVATIONS, "hermite"],
      default: "hermite",
      help:
        "f (centred): tanh, relu, erf, linear, or hermite: a x/σ + b (x²/σ² − 1)/√2 with a² = zeta_over_eta, b² = 1 − a² (η = 1)",
      cite: `${PW}, §4`,
    },
    zeta_over_eta: {
      kind: "number",
      default: 0.25,
      min: 0,
      max: 1,
      help: "hermite only: ζ/η, how linear f is (0: Marchenko–Pastur, 1: linear)",
    },
    n0: { kind: "number", default: 400, min: 4, max: 2000, integer: true, help: "n0, inputs" },
    n1: {
      kind: "number",
      default: 400,
      min: 4,
      max: 1000,
      integer: true,
      help: "n1, units (M is n1 × n1)",
    },
    m: { kind: "number", default: 800, min: 4, max: 4000, integer: true, help: "m, samples" },
    sigma_w2: {
      kind: "number",
      default: 1,
      min: 0.01,
      max: 10,
      help: "σw²: W_ij ~ N(0, σw²/n0)",
    },
    sigma_x2: { kind: "number", default: 1, min: 0.01, max: 10, help: "σx²: X_ij ~ N(0, σx²)" },
    draws: { kind: "number", default: 3, min: 1, max: 50, integer: true, help: "matrices sampled" },
  },
  streams: {
    invariants: {
      notation: { eta: "η", zeta: "ζ", zeta_over_eta: "ζ/η", phi: "φ = n0/m", psi: "ψ = n0/n1" },
      doc: "What decides the law: η, ζ of the centred f at σ = σw σx, and the shape ratios.",
      fields: {
        eta: "η = E f(σz)²",
        zeta: "ζ = [σ E f'(σz)]²",
        zeta_over_eta: "ζ/η",
        phi: "φ = n0/m",
        psi: "ψ = n0/n1",
      },
    },
    spectrum: {
      notation: { lambda: "λ" },
      doc:
        "Eigenvalues of M: the sampled histogram (pooled over draws) and the theoretical density on a grid.",
      fields: {
        lo: "bin's lower edge (theory: = lambda)",
        hi: "bin's upper edge (theory: = lambda)",
        lambda: "bin centre, or the grid point",
        density: "eigenvalues per unit λ, a fraction of all",
        source: '"simulation" or "theory"',
      },
    },
    memorization: {
      notation: { zeta_over_eta: "ζ/η", train_error: "training error", gamma: "γ (ridge)" },
      doc:
        "Ridge regression of random targets on the n1 features of m samples (Hermite family, η = 1, ζ/η swept): the training error against ζ/η for a few γ, from the theory (a functional of G) and simulated (solved by Cholesky, 64 target vectors). Smaller ζ/η, more nonlinear f, memorises better.",
      fields: {
        gamma: "γ, the ridge regulariser",
        zeta_over_eta: "ζ/η",
        train_error: "(1/m) ‖y − ŷ‖² on the training samples, per target",
        source: '"theory" or "simulation"',
      },
    },
    fit: {
      notation: { total_variation: "total variation" },
      doc: "How far the sampled histogram is from the theory: total variation between bin masses.",
      fields: {
        total_variation: "½ Σ |sampled − theoretical| over the bins",
        eigenvalues: "sampled in all",
      },
    },
  },
  panels: [
    {
      kind: "series",
      id: "spectrum",
      title: "Eigenvalues of YYᵀ/m: sampled (points) against Pennington & Worah's density (line)",
      stream: "spectrum",
      x: "lambda",
      y: "density",
      by: "source",
    },
    {
      kind: "series",
      id: "memorization",
      title: "Memorisation by random features: training error against ζ/η, one curve per γ",
      stream: "memorization",
      x: "zeta_over_eta",
      y: "train_error",
      by: "source",
      group: "gamma",
    },
    { kind: "table", id: "invariants", title: "η, ζ and the shape", stream: "invariants" },
    { kind: "table", id: "fit", title: "Sampled against theory", stream: "fit" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const sigma = Math.sqrt(p.sigma_w2 * p.sigma_x2);
      const f: GramActivation = p.activation === "hermite"
        ? hermiteFamily(p.zeta_over_eta, sigma)
        : centred(activation(p.activation as ActivationName), sigma);
      const shape = { eta: f.eta, zeta: f.zeta, phi: p.n0 / p.m, psi: p.n0 / p.n1 };
      yield { stream: "invariants", row: { ...shape, zeta_over_eta: f.zeta / f.eta } };
      const all: number[] = [];
      for (let draw = 0; draw < p.draws; draw++) {
        const rng = new Rng(ctx.rng.int32() >>> 0);
        const size = { n0: p.n0, n1: p.n1, m: p.m, sigmaW2: p.sigma_w2, sigmaX2: p.sigma_x2 };
        for (const e of sampleGramSpectrum(f, size, rng)) {
          all.push(e);
        }
        ctx.progress(draw + 1, p.draws);
        await ctx.tick();
      }
      // (With n1 > n0, M has rank n0: an atom of mass 1 − n0/n1 at 0, in the sample's first bin
      // but not in the density, a delta; the fit then counts it as a difference.)
      const ev = Float64Array.from(all).sort();
      const top = ev[ev.length - 1] * 1.05;
      const lo = 0;
      const grid = Array.from(
        { length: THEORY_POINTS },
        (_, i) => lo + ((i + 0.5) * (top - lo)) / THEORY_POINTS,
      );
      const rho = gramDensity(shape, grid);
      for (const [i, lambda] of grid.entries()) {
        yield {
          stream: "spectrum",
          row: { lo: lambda, hi: lambda, lambda, density: rho[i], source: "theory" },
        };
      }
      // the theory on the histogram's bins: linear interpolation of the fine grid
      const h = grid[1] - grid[0];
      const at = (x: number) => {
        const k = Math.min(grid.length - 2, Math.max(0, Math.floor((x - grid[0]) / h)));
        const u = (x - grid[k]) / h;
        return Math.max(0, (1 - u) * rho[k] + u * rho[k + 1]);
      };
      const cmp = compareToDensity(ev, at, lo, top, { bins: BINS });
      for (const b of cmp.bins) {
        if (b.simulation === 0) continue;
        yield {
          stream: "spectrum",
          row: {
            lo: b.lo,
            hi: b.hi,
            lambda: (b.lo + b.hi) / 2,
            density: b.simulation / (b.hi - b.lo),
            source: "simulation",
          },
        };
      }
      yield { stream: "fit", row: { total_variation: cmp.totalVariation, eigenvalues: ev.length } };

      // --- memorisation: the Hermite family at η = 1, ζ/η swept ---
      for (const [k, r] of MEMO_RATIOS.entries()) {
        const theory = trainErrorTheory({ ...shape, eta: 1, zeta: r }, MEMO_GAMMAS);
        const rng = new Rng(ctx.rng.int32() >>> 0);
        const sim = trainErrorSimulated(hermiteFamily(r, 1), p.n0, p.n1, p.m, MEMO_GAMMAS, rng);
        for (const [j, gamma] of MEMO_GAMMAS.entries()) {
          for (const [source, e] of [["theory", theory[j]], ["simulation", sim[j]]] as const) {
            yield {
              stream: "memorization",
              row: { gamma, zeta_over_eta: r, train_error: e, source },
            };
          }
        }
        ctx.progress(k + 1, MEMO_RATIOS.length);
        await ctx.tick();
      }
    });
  },
});
