/**
 * deep-cheap's `rbm` part (pipelines/deep_cheap.ts): the Wolff sampler checked against
 * Onsager and Kaufman at T_c, a stack of RBMs trained by CD-1 on critical samples, its
 * receptive fields, and the flow of block spins at temperatures either side of T_c — Mehta &
 * Schwab 2014. Rows as the pipeline's streams document them.
 *
 * @module
 */
import type { Emit, RunContext } from "../runtime/pipeline.ts";
import { kaufmanEnergy, onsagerEnergy, onsagerMagnetisation, T_CRITICAL } from "./ising.ts";
import { sampleIsing, trainStack } from "./stack.ts";
import {
  blockSpins,
  effectiveFields,
  fieldShape,
  nearestNeighbours,
  order,
  uniformShape,
} from "./rg.ts";
import { batchMeans, meanAndError } from "../stats/mod.ts";

/** receptive fields streamed per layer (typical units, by locality) */
const FIELDS_SHOWN = 4;
/** the flow's temperatures besides the training one: below and above T_c */
const FLOW_TEMPERATURES = [2.0, 2.6];
/** lattices of the finite-size check of the sampler at T_c */
const CHECK_SIZES = [16, 32, 64];

/** What the rbm part reads of the pipeline's params. */
export interface RbmParams {
  readonly size: number;
  readonly temperature: number;
  readonly samples: number;
  readonly epochs: number;
  readonly l1: number;
  readonly learning_rate: number;
}

type P = RbmParams;

export async function* rbm(p: P, ctx: RunContext): AsyncGenerator<Emit> {
  const L = p.size;
  const sizes = [(L / 2) ** 2, (L / 4) ** 2, (L / 8) ** 2];
  const batch = 50;
  const temps = [...new Set([p.temperature, ...FLOW_TEMPERATURES, T_CRITICAL])];
  const flowCount = 500;
  const totalBatches = sizes.length * p.epochs * Math.floor(p.samples / batch);
  const sampling = p.samples + flowCount * temps.length + 2000 * CHECK_SIZES.length;
  const total = sampling + totalBatches;
  let done = 0;
  // running means of a sampler's energy and |m|, a row every 100 sweeps, beside the exact
  // values (one computation per lattice and temperature)
  const samplerRows = (T: number, size: number) => {
    const exact = {
      exact: onsagerEnergy(T),
      exact_finite: kaufmanEnergy(size, T),
      exact_magnetisation: onsagerMagnetisation(T),
    };
    let e = 0, m = 0;
    return async (k: number, s: { energy: Float64Array; magnetisation: Float64Array }) => {
      done++;
      e += s.energy[k];
      m += s.magnetisation[k];
      if ((k + 1) % 100 !== 0) return;
      const sweep = k + 1;
      rows.push({
        stream: "ising2d",
        row: {
          temperature: shown(T),
          size,
          sweep,
          energy: e / sweep,
          magnetisation: m / sweep,
          ...exact,
        },
      });
      ctx.progress(done, total);
      await ctx.tick();
    };
  };
  const rows: Emit[] = [];
  const flush = function* () {
    yield* rows.splice(0);
  };
  // the sampler against Onsager at T_c: three sizes, and the 1/L extrapolation
  const check: { size: number; energy: number }[] = [];
  for (const size of CHECK_SIZES) {
    const s = await sampleIsing(size, T_CRITICAL, 2000, ctx.rng, samplerRows(T_CRITICAL, size));
    yield* flush();
    const { mean, stderr } = meanAndError(batchMeans(s.energy, 20));
    check.push({ size, energy: mean });
    yield {
      stream: "onsager",
      row: {
        size,
        inverse_size: 1 / size,
        energy: mean,
        standard_error: stderr,
        exact_finite: kaufmanEnergy(size, T_CRITICAL),
        onsager: -Math.SQRT2,
        relative_error: Math.abs(mean + Math.SQRT2) / Math.SQRT2,
      },
    };
  }
  // u(L) ≈ u∞ + a/L at T_c (the torus's leading correction): from the two largest lattices
  const [a, b] = check.slice(-2);
  const extrapolated = (b.size * b.energy - a.size * a.energy) / (b.size - a.size);
  yield {
    stream: "onsager",
    row: {
      size: null,
      inverse_size: 0,
      energy: extrapolated,
      standard_error: null,
      exact_finite: null,
      onsager: -Math.SQRT2,
      relative_error: Math.abs(extrapolated + Math.SQRT2) / Math.SQRT2,
    },
  };
  const data = await sampleIsing(
    L,
    p.temperature,
    p.samples,
    ctx.rng,
    samplerRows(p.temperature, L),
  );
  yield* flush();
  const layers = await trainStack(
    data,
    { sizes, epochs: p.epochs, batch, lr: p.learning_rate, l1: p.l1 },
    ctx.rng,
    async (layer, step, error) => {
      done++;
      if (step % 10 === 0) {
        rows.push({ stream: "rbm", row: { layer, step, reconstruction_error: error } });
        ctx.progress(done, total);
        await ctx.tick();
      }
    },
    ctx.float32.device,
  );
  yield* flush();
  const fields = effectiveFields(layers);
  const uniform = uniformShape(L);
  const shapes = fields.map((f, l) =>
    Array.from({ length: sizes[l] }, (_, j) => fieldShape(f, sizes[l], j, L))
  );
  for (const [l, f] of fields.entries()) {
    const n = sizes[l];
    const mean = (key: "radius" | "locality") => shapes[l].reduce((s, x) => s + x[key], 0) / n;
    yield {
      stream: "fields",
      row: {
        layer: l + 1,
        units: n,
        radius: mean("radius"),
        locality: mean("locality"),
        uniform_radius: uniform.radius,
        uniform_locality: uniform.locality,
      },
    };
    // typical fields, neither the most nor the least local: the units at the 20th, 40th, 60th
    // and 80th percentiles of locality (the strongest units are often one global field, the
    // overall magnetisation, and would hide what most units learned)
    const byLocality = shapes[l].map((x, j) => ({ j, locality: x.locality }))
      .sort((a, b) => a.locality - b.locality);
    const shown = Array.from(
      { length: FIELDS_SHOWN },
      (_, k) => byLocality[Math.floor(((k + 1) * n) / (FIELDS_SHOWN + 1))],
    );
    for (const [rank, { j }] of shown.entries()) {
      let top = 0;
      for (let i = 0; i < L * L; i++) top = Math.max(top, Math.abs(f[i * n + j]));
      for (let i = 0; i < L * L; i++) {
        yield {
          stream: "receptive",
          row: {
            layer: l + 1,
            unit: rank + 1,
            i: i % L,
            j: Math.floor(i / L),
            weight: f[i * n + j] / top,
          },
        };
      }
      await ctx.tick();
    }
  }
  // the flow: samples at each temperature, coarse-grained by every layer's fields
  const neighbours = shapes.map((s) => nearestNeighbours(s, L));
  const site = Array.from(
    { length: L * L },
    (_, i) => ({
      cx: i % L,
      cy: Math.floor(i / L),
      radius: 0,
      locality: 1,
      orientation: 1 as const,
    }),
  );
  const siteNeighbours = nearestNeighbours(site, L);
  for (const T of temps.sort((x, y) => x - y)) {
    const s = await sampleIsing(L, T, flowCount, ctx.rng, samplerRows(T, L));
    yield* flush();
    const o = order(s.spins, flowCount, site.map(() => 1), siteNeighbours);
    yield { stream: "flow", row: { temperature: shown(T), layer: 0, ...o } };
    for (const [l, f] of fields.entries()) {
      const spins = blockSpins(f, sizes[l], s.spins, flowCount);
      const r = order(spins, flowCount, shapes[l].map((x) => x.orientation), neighbours[l]);
      yield { stream: "flow", row: { temperature: shown(T), layer: l + 1, ...r } };
      await ctx.tick();
    }
  }
}

/** T as the legend shows it: T_c = 2.2691853… as 2.269 */
const shown = (T: number) => Math.round(T * 1000) / 1000;
