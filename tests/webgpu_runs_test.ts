/**
 * Whole runs on `--backend webgpu` (the software adapter here; ignored where Deno finds no
 * adapter): the rows agree with wasm-simd's within the claim's tolerance, are not bit-identical
 * (the work really ran elsewhere), and the run says what computed it.
 */
import { assert } from "./assert.ts";
import { hasGpu } from "../src/compute/webgpu/device.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import trainability from "../pipelines/trainability.ts";

const ignore = !(await hasGpu());

Deno.test("trainability on webgpu: a 2 × 2 map, 30 steps, within 0.05 of wasm's accuracies", {
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  // shallow depths keep the software adapter's run short (≈ 0.5 GFLOP/s on llvmpipe)
  const p = {
    sigma_w2_min: 1,
    sigma_w2_max: 1.76,
    sigma_w2_points: 2,
    depth_min: 3,
    depth_max: 8,
    depth_points: 2,
    steps: 30,
  };
  const wasm = await pipelineRows(trainability, p, "w", "wasm");
  const gpu = await pipelineRows(trainability, p, "g", "webgpu");
  const cells = (rows: typeof wasm) => rows.filter((r) => r.stream === "cell");
  assert(cells(gpu).length === 4, `${cells(gpu).length} cells`);
  let identical = true;
  for (const c of cells(wasm)) {
    const g = cells(gpu).find((r) => r.sigma_w2 === c.sigma_w2 && r.depth === c.depth)!;
    // float32 sums in another order over 30 steps move a held-out accuracy by a digit or two
    // of 963 (measured ≤ 0.001); 0.05 is the claim
    assert(
      Math.abs((g.accuracy as number) - (c.accuracy as number)) <= 0.05,
      JSON.stringify([c, g]),
    );
    if (g.loss !== c.loss) identical = false;
  }
  assert(!identical, "webgpu's losses equal wasm's to the last bit: did it run on the GPU?");
  const done = gpu.find((r) => r.stream === "done")!;
  assert(String(done.computed).includes("float32 webgpu"), String(done.computed));
  assert(!String(done.computed).includes("wasm-simd ("), String(done.computed));
  assert(String(gpu.find((r) => r.stream === "meta")!.compute).includes("float32 kernels: webgpu"));
});
