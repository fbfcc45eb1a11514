/**
 * The done row's `computed` (src/compute/usage.ts): measured, it names the parts that really
 * ran, and never a backend that did not (a run on the software adapter names llvmpipe, and a
 * webgpu run's tfjs parts say tfjs wasm: tests/webgpu_runs_test.ts).
 */
import { firstValueFrom, of, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { findPipeline } from "../pipelines/mod.ts";
import { definePipeline } from "../src/runtime/pipeline.ts";
import { type Row, runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import type { BackendChoice } from "../src/compute/backend.ts";

async function done(
  // deno-lint-ignore no-explicit-any
  def: any,
  params: Record<string, number | string>,
  backend: BackendChoice = "cpu",
): Promise<Row> {
  const rows = await firstValueFrom(
    runPipeline(def, {
      params: resolveRunParams(def, params),
      runId: "r",
      backend,
      logDir: null,
    }).pipe(toArray()),
  );
  assertEquals(rows.at(-1)!.stream, "done");
  assertEquals(rows.at(-1)!.status, "ok", JSON.stringify(rows.find((r) => r.stream === "error")));
  return rows.at(-1)!;
}

Deno.test("computed: a pipeline of plain TypeScript says so", async () => {
  const toy = definePipeline({
    id: "toy",
    title: "Toy",
    cite: "none",
    description: "",
    params: {},
    streams: { a: { doc: "", fields: { x: "x" } } },
    panels: [],
    run: () => of({ stream: "a", row: { x: 1 } }),
  });
  assertEquals((await done(toy, {})).computed, "TypeScript only");
});

Deno.test("computed: trainability's cells train on the float32 SIMD kernels, one net a cell, no tfjs", async () => {
  const def = findPipeline("trainability")!;
  const row = await done(def, {
    sigma_w2_points: 2,
    depth_points: 2,
    steps: 5,
    width: 16,
  });
  assertEquals(row.computed, "float32 wasm-simd (4 nets)");
});

Deno.test("computed: signal-propagation's simulation is tfjs on the chosen backend, and the SIMD kernels on wasm", async () => {
  const def = findPipeline("signal-propagation")!;
  const row = await done(def, { width: 32, depth: 4 });
  assert(/^tfjs cpu \([\d,]+ tensors\)$/.test(String(row.computed)), String(row.computed));
  const wasm = await done(def, { width: 32, depth: 4 }, "wasm");
  assertEquals(wasm.computed, "float32 wasm-simd (1 net)");
});

Deno.test("computed: the NNGP's dot products and Cholesky run on the float64 pool", async () => {
  const def = findPipeline("nngp")!;
  const row = await done(def, { n_train: 200, n_test: 100, widths: 0, grid_points: 1 });
  assert(String(row.computed).includes("float64 wasm-simd f64x2"), String(row.computed));
});
