/**
 * trainability: which random networks can be trained at all (Schoenholz et al. 2017,
 * Figs. 5–6). Deep tanh networks over a grid of (σw², L) at σb² = 0.05 are each trained on
 * MNIST for a fixed number of SGD steps, cells streaming in coarse to fine; over the map,
 * the depth scale 6ξ_c(σw²) from src/signal bounds the region that learns.
 */
import { definePipeline, type Emit } from "../src/runtime/pipeline.ts";
import { fromAsync } from "../src/runtime/from_async.ts";
import { ParamError } from "../src/params/schema.ts";
import { activation } from "../src/signal/activations.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { coarseToFine, linspace } from "../src/trainability/grid.ts";
import { Rng } from "../src/random/rng.ts";
import { trainabilityData } from "../src/trainability/data.ts";
import { cellFlops, trainCells } from "../src/trainability/cell.ts";

const SCHOENHOLZ = "Schoenholz et al. 2017 (arXiv:1611.01232)";
/** the most cells one run may train (the server's limit) */
export const MAX_CELLS = 400;
/** the most work one run may take: ≈ 3 h on two cores, 25× the default map (4.7 TFLOP) */
export const MAX_FLOPS = 120e12;
/** points of the depth-scale curve across σw² */
const CURVE_POINTS = 200;

/** The map's depths: whole layers, evenly spaced. */
const gridDepths = (p: { depth_min: number; depth_max: number; depth_points: number }) =>
  linspace(p.depth_min, p.depth_max, p.depth_points).map(Math.round);

export default definePipeline({
  id: "trainability",
  title: "Trainability: deep random networks learn only within 6ξ_c",
  cite: `${SCHOENHOLZ}, §5 and Figs. 5–6`,
  description:
    "Tanh networks of depth L at weight variance σw² are trained on MNIST for a fixed number of SGD steps, one grid cell at a time, coarse to fine. The nets that learn lie under the curve 6ξ_c(σw²), the depth over which two inputs' correlation is still felt; at the critical point ξ_c diverges.",
  memory: ["width", "batch"],
  params: {
    sigma_w2_min: {
      kind: "number",
      default: 1,
      min: 0.1,
      max: 10,
      help: "the smallest σw² of the grid",
      cite: `${SCHOENHOLZ}, Fig. 5 (σw² from 1 to 4)`,
    },
    sigma_w2_max: { kind: "number", default: 4, min: 0.1, max: 10, help: "the largest σw²" },
    sigma_w2_points: {
      kind: "number",
      default: 13,
      min: 1,
      max: 60,
      integer: true,
      help: "σw² values (columns of the map)",
    },
    depth_min: {
      kind: "number",
      default: 10,
      min: 1,
      max: 300,
      integer: true,
      help: "the shallowest depth L (hidden tanh layers)",
    },
    depth_max: {
      kind: "number",
      default: 100,
      min: 1,
      max: 300,
      integer: true,
      help: "the deepest L",
      cite: `${SCHOENHOLZ}, Fig. 5 (L up to 300 after far longer training)`,
    },
    depth_points: {
      kind: "number",
      default: 10,
      min: 1,
      max: 60,
      integer: true,
      help: "depths (rows of the map)",
    },
    sigma_b2: {
      kind: "number",
      default: 0.05,
      min: 0,
      max: 2,
      help: "σb², the bias variance",
      cite: `${SCHOENHOLZ}, Fig. 5 (σb² = 0.05)`,
    },
    width: {
      kind: "number",
      default: 100,
      min: 8,
      max: 1024,
      integer: true,
      help: "N, units per hidden layer",
    },
    steps: {
      kind: "number",
      default: 300,
      min: 1,
      max: 20000,
      integer: true,
      help: "SGD steps per cell (more steps push the trainable depth toward 6ξ_c)",
    },
    lr: {
      kind: "number",
      default: 0.01,
      min: 1e-5,
      max: 1,
      help: "SGD learning rate",
    },
    batch: {
      kind: "number",
      default: 32,
      min: 2,
      max: 512,
      integer: true,
      help: "examples per SGD step (even)",
    },
  },
  check(p) {
    if (p.sigma_w2_min > p.sigma_w2_max) {
      throw new ParamError("sigma_w2_min", `must not exceed sigma_w2_max (${p.sigma_w2_max})`);
    }
    if (p.depth_min > p.depth_max) {
      throw new ParamError("depth_min", `must not exceed depth_max (${p.depth_max})`);
    }
    const cells = p.sigma_w2_points * p.depth_points;
    if (cells > MAX_CELLS) {
      throw new ParamError(
        "depth_points",
        `the grid has ${p.sigma_w2_points} × ${p.depth_points} = ${cells} cells; at most ${MAX_CELLS} (fewer sigma_w2_points or depth_points)`,
      );
    }
    const depths = gridDepths(p);
    const flops = p.sigma_w2_points *
      depths.reduce((sum, depth) => sum + cellFlops({ ...p, depth }), 0);
    if (flops > MAX_FLOPS) {
      throw new ParamError(
        "steps",
        `the grid needs ≈ ${(flops / 1e12).toFixed(0)} TFLOP (≈ ${
          (flops / 1e10 / 3600).toFixed(1)
        } h on two cores); at most ${MAX_FLOPS / 1e12} TFLOP: fewer steps, cells, depth or width`,
      );
    }
    if (p.batch % 2 !== 0) {
      throw new ParamError("batch", "must be even (the kernel takes rows in pairs)");
    }
  },
  streams: {
    "depth-scale": {
      notation: { sigma_w2: "σw²" },
      doc:
        "The correlation depth scale across σw² at this σb² (src/signal), and the trainable depth it predicts.",
      fields: {
        sigma_w2: "σw²",
        xi_c: "ξ_c in layers; null on the critical line, where it diverges",
        six_xi_c: "6ξ_c: the deepest trainable net (Schoenholz et al.)",
        three_xi_c: "3ξ_c",
      },
    },
    cell: {
      notation: { sigma_w2: "σw²" },
      doc: "One trained network of the grid, as it finishes (coarse cells first).",
      fields: {
        sigma_w2: "σw²",
        depth: "L, hidden tanh layers",
        accuracy: "held-out accuracy on 963 MNIST digits (0.1 = chance; a diverged net scores 0.1)",
        loss: "held-out cross-entropy; null where the net diverged",
        steps: "SGD steps taken",
        diverged: "the loss stopped being finite",
      },
    },
  },
  panels: [
    {
      kind: "heatmap",
      id: "map",
      title: "Held-out accuracy after training · line: 6ξ_c, dashed: 3ξ_c",
      stream: "cell",
      x: "sigma_w2",
      y: "depth",
      fill: ["accuracy", "loss"],
      overlay: {
        stream: "depth-scale",
        x: "sigma_w2",
        y: "six_xi_c",
        also: ["three_xi_c"],
        along: "x",
      },
      sketch: true,
    },
    {
      kind: "series",
      id: "depth-scale",
      title: "Depth scale ξ_c",
      stream: "depth-scale",
      x: "sigma_w2",
      y: "xi_c",
      yLog: true,
      yLabel: "ξ_c (layers)",
    },
  ],
  shardable: "the (σw², L) cells, coarse to fine",
  run(p, ctx) {
    return fromAsync(async function* (): AsyncGenerator<Emit> {
      const tanh = activation("tanh");
      // the depth-scale curve is shard 0's (item 0) when the map is split over workers
      for (const w of ctx.mine(0) ? linspace(p.sigma_w2_min, p.sigma_w2_max, CURVE_POINTS) : []) {
        const xi = fixedPoint({ act: tanh, sigma_w2: w, sigma_b2: p.sigma_b2 }).xi_c;
        yield {
          stream: "depth-scale",
          row: {
            sigma_w2: w,
            xi_c: xi,
            six_xi_c: xi === null ? null : 6 * xi,
            three_xi_c: xi === null ? null : 3 * xi,
          },
        };
      }
      const ws = linspace(p.sigma_w2_min, p.sigma_w2_max, p.sigma_w2_points);
      const ds = gridDepths(p);
      const cells = coarseToFine(ws.length, ds.length);
      const data = trainabilityData();
      const total = cells.length * p.steps;
      let done = 0;
      // each cell its own random stream, from the seed and the cell: the same numbers however
      // the map is split over workers, or in what order its cells are trained
      const base = ctx.rng.int32();
      // split over workers, the cells are dealt out in order of cost (depth) so that each
      // worker gets an even share of the work, not of the cells
      const byCost = cells.map((c, k) => ({ k, cost: ds[c.j] })).sort((a, b) => b.cost - a.cost);
      const mine = new Set(byCost.filter((_, rank) => ctx.mine(rank)).map((x) => x.k));
      // on a GPU the cells of one depth train side by side (one dispatch a product for all),
      // in groups of up to engine.group; on wasm a group is one cell, in coarse-to-fine order
      const groups: { k: number; c: typeof cells[number] }[][] = [];
      for (const [k, c] of cells.entries()) {
        if (!mine.has(k)) continue;
        const open = groups.find((g) => g.length < ctx.float32.group && ds[g[0].c.j] === ds[c.j]);
        if (open) open.push({ k, c });
        else groups.push([{ k, c }]);
      }
      for (const group of groups) {
        const specs = group.map(({ c }) => ({ ...p, sigma_w2: ws[c.i], depth: ds[c.j] }));
        const rngs = group.map(({ c }) => new Rng((base + 7919 * (c.i * ds.length + c.j)) | 0));
        const results = await trainCells(
          specs,
          data,
          rngs,
          ctx.float32,
          ctx.tick,
          (s) => ctx.progress(done + s * group.length, total),
        );
        done += p.steps * group.length;
        ctx.progress(done, total);
        for (const [z, { c }] of group.entries()) {
          yield { stream: "cell", row: { sigma_w2: ws[c.i], depth: ds[c.j], ...results[z] } };
        }
      }
    });
  },
});
