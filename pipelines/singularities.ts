/**
 * singularities: the neuromanifold's singular regions (Amari, Park & Ozeki 2006; Amari
 * 1998): a perceptron with two hidden units learns a two-unit teacher on its exact loss.
 * Gradient descent falls onto the attracting part of the overlap line (a Milnor attractor)
 * and stalls on a plateau; natural gradient leaves at once. The science is src/singular.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { RunError } from "../src/runtime/pipeline.ts";
import {
  amariCoordinates,
  fromAmari,
  type Method,
  METHODS,
  overlapCriticalPoint,
  stepper,
} from "../src/singular/dynamics.ts";
import { milnorSegments, planeVelocity } from "../src/singular/attractor.ts";
import { generalisationError, type Teacher } from "../src/singular/two_unit.ts";
import { PLANE_Z_RANGE, plateauStatistics } from "../src/singular/plateaus.ts";
import { linspace } from "../src/trainability/grid.ts";
import { Rng } from "../src/random/rng.ts";

const APO = "Amari, Park & Ozeki 2006 (Neural Computation 18)";
/** the (z, |u|) plane drawn: z across, |u| up */
const Z_RANGE = PLANE_Z_RANGE, U_MAX = 0.6;
/** the learning curves' recorded steps: this many, log-spaced */
const RECORDS = 160;
/** the trajectories drawn: inside this box of the (z, |u|) plane */
const PLANE_Z = 4.5, PLANE_U = 0.8;
/** an error this small is converged (the curve below it would be rounding noise) */
const CONVERGED = 1e-12;

/** The teacher: v* = (1, 1), J*_1 = 1.5 e1, J*_2 = 1.5 e2 (n ≥ 2; for n = 1, J*_2 = 0.5). */
export function makeTeacher(n: number, units: number): Teacher {
  const e = (k: number, a: number) => {
    const v = new Float64Array(n);
    v[k] = a;
    return v;
  };
  const J = [e(0, 1.5), n > 1 ? e(1, 1.5) : e(0, 0.5)];
  return { v: units === 2 ? [1, 1] : [1], J: units === 2 ? J : [J[0]] };
}

/** 0, then `count` log-spaced steps up to `steps`. */
function recordSteps(steps: number, count: number): Set<number> {
  const out = new Set([0, steps]);
  for (let k = 0; k < count; k++) out.add(Math.round(Math.pow(steps, k / (count - 1))));
  return out;
}

export default definePipeline({
  id: "singularities",
  title: "Singularities: plateaus, the Milnor attractor and natural gradient",
  cite: `${APO}; Amari 1998 (natural gradient); Amari, Park & Fukumizu 2000 (adaptive)`,
  description:
    "A two-hidden-unit perceptron learns a two-unit teacher on its exact loss. Where its two units overlap the parameter space is singular: part of that line attracts gradient descent, which stalls on a plateau, while natural gradient leaves at once.",
  params: {
    n: { kind: "number", default: 2, min: 1, max: 10, integer: true, help: "input dimension" },
    teacher_units: {
      kind: "number",
      default: 2,
      min: 1,
      max: 2,
      integer: true,
      help: "the teacher's hidden units (at most the student's two; 1 is the redundant case)",
    },
    noise: {
      kind: "number",
      default: 0,
      min: 0,
      max: 1,
      help: "σ², the output noise's variance (adds σ²/2 to the error)",
    },
    eta: { kind: "number", default: 0.1, min: 1e-4, max: 1, help: "η, the step in natural time" },
    steps: {
      kind: "number",
      default: 20000,
      min: 10,
      max: 200000,
      integer: true,
      help: "steps per method",
    },
    damping: {
      kind: "number",
      default: 1e-6,
      min: 0,
      max: 1,
      help: "λ of natural gradient's (G + λI)⁻¹: G is singular on the overlap line",
    },
    adaptive_damping: {
      kind: "number",
      default: 1e-2,
      min: 0,
      max: 1,
      help: "λ of the adaptive natural gradient, whose online Ĝ is noisy",
    },
    z0: {
      kind: "number",
      default: 2.5,
      min: -10,
      max: 10,
      help: "the start's z = (v1 − v2)/(v1 + v2) (the talk's case: on the attracting part)",
      cite: `${APO}, §5`,
    },
    u0: {
      kind: "number",
      default: 0.05,
      min: 0,
      max: 2,
      help: "the start's |u| = |J2 − J1|: how near the overlap line",
    },
    starts: {
      kind: "number",
      default: 20,
      min: 1,
      max: 200,
      integer: true,
      help: "random starts near the line for the plateau statistics",
    },
  },
  streams: {
    setup: {
      notation: { v_star: "v*", plateau_error: "ε on the line", teacher_units: "teacher units" },
      doc: "The overlap line's critical point and its plateau.",
      fields: {
        v_star: "v* = v1 + v2 on the line",
        plateau_error: "ε on the line (the plateau's height, noise included)",
        teacher_units: "1 or 2",
      },
    },
    attractor: {
      doc: "The attracting parts of the overlap line (no negative transverse Hessian eigenvalue).",
      fields: { z_lo: "segment start", z_hi: "segment end (clipped to the plane drawn)" },
    },
    "attractor-line": {
      notation: { u_norm: "|u|" },
      doc: "The same segments as points on the z axis, for drawing.",
      fields: { segment: "1, 2, …", z: "z", u_norm: "0" },
    },
    field: {
      notation: { u_norm: "|u|" },
      doc: "Gradient descent's velocity in the (z, |u|) plane through the line (v = v*, w = J*).",
      fields: { z: "z", u_norm: "|u|", dz: "dz/dt", du: "d|u|/dt" },
    },
    loss: {
      doc:
        "The generalisation error against natural time t = η·step, from one start (until below 1e-12).",
      fields: { method: '"gd", "ngd", "adaptive-ngd" or "adam"', t: "η·step", error: "ε(θ_t)" },
      series: ["method"],
    },
    trajectory: {
      notation: { u_norm: "|u|" },
      doc:
        "The same runs in Amari's (z, |u|) plane, while inside the part drawn (|z| ≤ 4.5, |u| ≤ 0.8).",
      fields: { method: "as loss", t: "η·step", z: "z", u_norm: "|u|" },
      series: ["method"],
    },
    plateau: {
      doc: "Time each random start spent on the plateau (ε within 5% of the line's).",
      fields: {
        method: '"gd" or "ngd"',
        start: "start index",
        duration: "natural time on the plateau",
      },
    },
    "plateau-histogram": {
      doc: "Those durations binned, per method.",
      fields: { method: '"gd" or "ngd"', lo: "bin start", hi: "bin end", count: "starts" },
    },
  },
  panels: [
    {
      kind: "series",
      id: "loss",
      title: "Learning curves from one start near the overlap line",
      stream: "loss",
      x: "t",
      y: "error",
      group: "method",
      xLog: true,
      yLog: true,
    },
    {
      kind: "series",
      id: "plane",
      title: "The (z, |u|) plane: field, Milnor attractor (thick), trajectories",
      stream: "trajectory",
      x: "z",
      y: "u_norm",
      points: true,
      group: "method",
      overlay: { stream: "attractor-line", x: "z", y: "u_norm", by: "segment" },
      arrows: { stream: "field", x: "z", y: "u_norm", dx: "dz", dy: "du" },
    },
    {
      kind: "histogram",
      id: "plateaus",
      title: "Time on the plateau over random starts",
      stream: "plateau-histogram",
      lo: "lo",
      hi: "hi",
      count: "count",
      group: "method",
      xLabel: "time on the plateau",
    },
    { kind: "table", id: "setup", title: "The overlap line", stream: "setup" },
  ],
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const n = p.n;
      const teacher = makeTeacher(n, p.teacher_units);
      const crit = overlapCriticalPoint(teacher, n, { v: 0.5, J: new Float64Array(n).fill(0.3) });
      const vStar = amariCoordinates(crit, n).v;
      const jStar = Array.from(crit.subarray(2, 2 + n));
      const plateau = generalisationError(crit, teacher, n);
      const error = (theta: Float64Array) => generalisationError(theta, teacher, n) + p.noise / 2;
      yield {
        stream: "setup",
        row: {
          v_star: vStar,
          plateau_error: plateau + p.noise / 2,
          teacher_units: p.teacher_units,
        },
      };
      const segments = milnorSegments(teacher, n, vStar, jStar, Z_RANGE[0], Z_RANGE[1]);
      for (const [k, s] of segments.entries()) {
        yield { stream: "attractor", row: s };
        for (const z of [s.z_lo, s.z_hi]) {
          yield { stream: "attractor-line", row: { segment: k + 1, z, u_norm: 0 } };
        }
      }
      // the field on the slice through the line along the start's direction of u
      const dir = Float64Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? -0.5 : 0));
      const norm = Math.hypot(...dir);
      const e = dir.map((x) => x / norm);
      for (const z of linspace(Z_RANGE[0], Z_RANGE[1], 21)) {
        for (const r of linspace(0.03, U_MAX, 10)) {
          if (Math.abs(Math.abs(z) - 1) < 1e-9) continue; // v1 or v2 = 0: an elimination point
          yield {
            stream: "field",
            row: { z, u_norm: r, ...planeVelocity(teacher, n, vStar, jStar, e, z, r) },
          };
        }
        await ctx.tick();
      }
      // one start near the line, every method from it
      const u0 = e.map((x) => x * p.u0);
      const start = fromAmari(vStar * 0.8, p.z0, jStar.map((x) => x * 0.7), u0);
      const record = recordSteps(p.steps, RECORDS);
      const options = (m: Method) => ({
        eta: m === "adam" ? p.eta / 10 : p.eta,
        damping: m === "adaptive-ngd" ? p.adaptive_damping : p.damping,
      });
      let done = 0;
      const total = METHODS.length * p.steps + 2 * p.starts * p.steps;
      for (const method of METHODS) {
        const s = stepper(method, start, teacher, n, options(method), new Rng(ctx.rng.int32()));
        let converged = false;
        for (let k = 0; k <= p.steps; k++) {
          if (record.has(k) && !converged) {
            const eps = error(s.theta);
            if (!Number.isFinite(eps)) {
              throw new RunError(`${method} diverged at step ${k}: raise the damping`, {
                method,
                step: k,
              });
            }
            const t = k * options(method).eta;
            const c = amariCoordinates(s.theta, n);
            yield { stream: "loss", row: { method, t, error: eps } };
            // the plane shows the neighbourhood of the line: a trajectory that has left it
            // (|u| past the plane's top, or v1 + v2 near 0, where z runs off) is not drawn
            if (Math.abs(c.z) <= PLANE_Z && c.u_norm <= PLANE_U) {
              yield { stream: "trajectory", row: { method, t, z: c.z, u_norm: c.u_norm } };
            }
            // below this the curve is rounding noise: the method has converged
            converged = eps - p.noise / 2 < CONVERGED;
            await ctx.tick();
          }
          if (k < p.steps) {
            try {
              s.step();
            } catch (e) {
              if (!(e instanceof RangeError)) throw e; // Cholesky's "not positive definite"
              throw new RunError(
                `${method}: the Fisher matrix is singular at step ${k} (on the overlap line): use --${
                  method === "adaptive-ngd" ? "adaptive-damping" : "damping"
                } > 0 (e.g. 1e-6)`,
                { method, step: k },
              );
            }
          }
          if (k % 1000 === 0) ctx.progress(done + k, total);
        }
        done += p.steps;
      }
      // plateau statistics: random starts near the line, GD against NGD
      const progress = { done, total };
      yield* plateauStatistics(p, ctx, { teacher, n, vStar, jStar, plateau, options }, progress);
    });
  },
});
