/**
 * The trainability map (src/trainability; Schoenholz et al. 2017): the SIMD trainer's step
 * against float64 finite differences of the loss, the coarse-to-fine grid, the sketched
 * heatmap, and a 2 × 2 map whose shallow near-critical cell learns and whose deep ordered
 * cell does not.
 */
import { parseHTML } from "linkedom";
import { assert, assertEquals } from "./assert.ts";
import { Rng } from "../src/random/rng.ts";
import { SimdMlp } from "../src/compute/simd_mlp.ts";
import { coarseToFine, linspace } from "../src/trainability/grid.ts";
import { CHANCE, trainCell } from "../src/trainability/cell.ts";
import { trainabilityData } from "../src/trainability/data.ts";
import { cellEdges, heatmapCells, heatmapPanel } from "../dashboard/panels/heatmap.ts";
import type { Row } from "../dashboard/store.ts";
import trainability from "../pipelines/trainability.ts";
import { ParamError } from "../src/params/schema.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { activation } from "../src/signal/activations.ts";

type Params = ReturnType<SimdMlp["parameters"]>;

/** Mean cross-entropy of the padded parameters on a batch, in float64 (the reference). */
function referenceLoss(p: Params, x: readonly Float32Array[], y: readonly number[]): number {
  let loss = 0;
  for (let r = 0; r < x.length; r++) {
    let a: Float64Array = Float64Array.from(x[r]);
    p.forEach((L, l) => {
      const z = new Float64Array(L.nOut);
      for (let j = 0; j < L.nOut; j++) {
        let s = L.b[j];
        for (let i = 0; i < L.nIn; i++) s += a[i] * L.w[i * L.nOut + j];
        z[j] = l + 1 < p.length ? Math.tanh(s) : s;
      }
      a = z;
    });
    const logits = a.subarray(0, 10);
    const max = Math.max(...logits);
    const sum = logits.reduce((t, v) => t + Math.exp(v - max), 0);
    loss += Math.log(sum) + max - logits[y[r]];
  }
  return loss / x.length;
}

Deno.test("SimdMlp.step(): each weight moves by −η ∂L/∂w, the gradient by float64 finite differences", async () => {
  // A 3-layer net small enough for central differences of the float64 loss (h = 1e-4: error
  // O(h²) ≈ 1e-8); the SIMD step runs in float32, so a relative 2e-3 of the largest move.
  const rng = new Rng(4);
  const spec = {
    inputs: 12,
    outputs: 10,
    width: 6,
    depth: 3,
    sigma_w2: 1.8,
    sigma_b2: 0.05,
    batch: 4,
  };
  const net = await SimdMlp.create(spec, rng);
  const x = Array.from({ length: 4 }, () => Float32Array.from({ length: 12 }, () => rng.normal()));
  const y = [3, 1, 4, 1];
  const before = net.parameters();
  const lr = 0.1;
  net.step(x, y, lr);
  const after = net.parameters();
  const h = 1e-4;
  let worst = 0, largest = 0;
  for (let l = 0; l < before.length; l++) {
    for (const [arr, n] of [["w", before[l].w.length], ["b", before[l].b.length]] as const) {
      for (let k = 0; k < n; k += 3) {
        const bump = (d: number) => {
          const p = before.map((L) => ({ ...L, w: L.w.slice(), b: L.b.slice() }));
          p[l][arr][k] += d;
          return referenceLoss(p, x, y);
        };
        const grad = (bump(h) - bump(-h)) / (2 * h);
        const moved = after[l][arr][k] - before[l][arr][k];
        worst = Math.max(worst, Math.abs(moved + lr * grad));
        largest = Math.max(largest, Math.abs(lr * grad));
      }
    }
  }
  assert(largest > 1e-3, "the step moved something");
  assert(worst < 2e-3 * largest, `worst ${worst} against ${largest}`);
  // the padding (width 6 → 8, 10 classes → 12) stays zero
  for (const L of after) {
    assertEquals(L.b.subarray(L.nOut === 12 ? 10 : 6).every((v) => v === 0), true);
  }
});

Deno.test("coarseToFine(): every cell once; the first cells span the corners of the map", () => {
  const cells = coarseToFine(13, 10);
  assertEquals(cells.length, 130);
  assertEquals(new Set(cells.map((c) => `${c.i},${c.j}`)).size, 130);
  const sketch = cells.filter((c) => c.level === 0);
  assertEquals(sketch.length, 4 * 3); // i ∈ {0, 4, 8, 12}, j ∈ {0, 4, 8}
  assertEquals(cells.slice(0, 12), sketch);
  const levels = cells.map((c) => c.level);
  assertEquals(levels, levels.slice().sort());
  assertEquals(linspace(1, 4, 13)[4], 2);
});

Deno.test("heatmap: cells reach halfway to their neighbours; a sketch fills the gaps from the nearest cell", () => {
  const e = cellEdges([1, 2, 4]);
  assertEquals(e.lo, [0.5, 1.5, 3]);
  assertEquals(e.hi, [1.5, 3, 5]);
  const spec = {
    kind: "heatmap" as const,
    id: "m",
    title: "m",
    stream: "cell",
    x: "x",
    y: "y",
    fill: ["v"],
    sketch: true,
  };
  let seq = 0;
  const row = (x: number, y: number, v: number) =>
    ({ run: "r", pipeline: "p", stream: "cell", seq: seq++, x, y, v }) as Row;
  // three cells measured of a 2 × 2 grid: the fourth borrows its nearest (along one axis)
  const cells = heatmapCells([row(0, 0, 1), row(1, 0, 2), row(0, 10, 3)], spec, "v");
  assertEquals(cells.length, 4);
  const filled = cells.find((c) => !c.measured)!;
  assertEquals([filled.x1, filled.y1], [0.5, 5]);
  assert(filled.v === 2 || filled.v === 3);
  const { document } = parseHTML("<!doctype html><html><body></body></html>");
  const el = heatmapPanel([row(0, 0, 1), row(1, 0, 2), row(0, 10, 3)], [], spec, {
    document: document as unknown as Document,
    legend: false, // Plot draws a colour ramp's legend on a canvas, which linkedom lacks
  });
  const html = (el as unknown as { outerHTML: string }).outerHTML;
  assertEquals((html.match(/<rect /g) ?? []).length >= 4, true);
  assert(html.includes('fill-opacity="0.45"'), "the unmeasured cell is drawn paler");
});

Deno.test("trainCell(): a net whose loss stops being finite is scored chance and flagged, not thrown", async () => {
  const r = await trainCell(
    // deep in the chaotic phase the backward pass grows like χ1^L ≈ 1.6^60: within a few steps
    // the weights overflow float32 (measured: step 5)
    { sigma_w2: 6, sigma_b2: 0.05, depth: 60, width: 100, steps: 300, lr: 0.1, batch: 32 },
    trainabilityData(),
    new Rng(1),
    () => Promise.resolve(),
  );
  assertEquals(r.diverged, true);
  assertEquals(r.accuracy, CHANCE);
  assertEquals(r.loss, null);
  assert(r.steps < 300);
});

Deno.test("trainability: a 2 × 2 map — shallow near-critical learns, deep ordered does not (6ξ_c between)", async () => {
  // σw² = 1 (ordered: ξ_c = 3.6, 6ξ_c = 22) and 1.76 (critical: ξ_c → ∞) at L = 10 and 60,
  // 300 steps. Measured: (1.76, 10) 0.80–0.83, (1, 60) at chance (0.10), across seeds.
  const rows = await pipelineRows(trainability, {
    sigma_w2_min: 1,
    sigma_w2_max: 1.76,
    sigma_w2_points: 2,
    depth_min: 10,
    depth_max: 60,
    depth_points: 2,
  });
  const cells = rows.filter((r) => r.stream === "cell");
  assertEquals(cells.length, 4);
  const at = (w: number, d: number) => cells.find((c) => c.sigma_w2 === w && c.depth === d)!;
  assert((at(1.76, 10).accuracy as number) > 0.6, JSON.stringify(at(1.76, 10)));
  assert((at(1, 60).accuracy as number) < 0.25, JSON.stringify(at(1, 60)));
  const six = 6 * fixedPoint({ act: activation("tanh"), sigma_w2: 1, sigma_b2: 0.05 }).xi_c!;
  assert(10 < six && six < 60, `6ξ_c(1) = ${six} lies between the two depths`);
  const curve = rows.filter((r) => r.stream === "depth-scale");
  assertEquals(curve.length, 200);
  assert(curve.some((r) => r.xi_c !== null && (r.xi_c as number) > 100), "ξ_c grows near χ1 = 1");
});

Deno.test("trainability: a grid past the server's limit is a ParamError naming the param", () => {
  const p = {
    sigma_w2_min: 1,
    sigma_w2_max: 4,
    sigma_w2_points: 30,
    depth_min: 10,
    depth_max: 100,
    depth_points: 30,
    sigma_b2: 0.05,
    width: 100,
    steps: 300,
    lr: 0.01,
    batch: 32,
  };
  const err = (q: typeof p) => {
    try {
      trainability.check!(q);
    } catch (e) {
      return e;
    }
    return null;
  };
  const e = err(p);
  assert(e instanceof ParamError && e.param === "depth_points" && e.message.includes("900"));
  const odd = err({ ...p, depth_points: 2, batch: 31 });
  assert(odd instanceof ParamError && odd.param === "batch");
  // 400 cells of width 1024 at depth up to 300 for 20,000 steps: years, refused up front
  const huge = err({
    ...p,
    sigma_w2_points: 20,
    depth_points: 20,
    depth_max: 300,
    width: 1024,
    steps: 20000,
  });
  assert(huge instanceof ParamError && huge.param === "steps" && huge.message.includes("TFLOP"));
  assertEquals(err({ ...p, depth_points: 10, sigma_w2_points: 13 }), null); // the default map
  const flipped = err({ ...p, depth_points: 2, depth_min: 50, depth_max: 20 });
  assert(flipped instanceof ParamError && flipped.param === "depth_min");
});
