/**
 * deep-cheap's RBM stack on WebGPU against the same run on wasm (tests/webgpu_runs_test.ts in
 * Deno, tests/local_webgpu_browser_test.ts in Chromium's worker).
 */
import { assert } from "../assert.ts";
import type { Row } from "../../src/runtime/run.ts";

/** The RBM rows the p = {part: "rbm", size: 16, samples: 500, epochs: 2} runs give (not the same bits). */
export function assertRbmAsOnWasm(wasm: Row[], gpu: Row[]): void {
  const of = (rows: Row[], stream: string) => rows.filter((r) => r.stream === stream);
  // The same draws on both: only float32 sums differ (measured ≤ 2e-7 on every field number,
  // 1e-8 on the errors). A flipped sample would move them by ≈ 1e-2; the claim's margin
  // (layer-1 locality 10× the uniform field's) is far wider.
  for (const [w, g] of of(wasm, "fields").map((r, i) => [r, of(gpu, "fields")[i]])) {
    for (const key of ["locality", "radius"]) {
      const [a, b] = [w[key] as number, g[key] as number];
      assert(Math.abs(a - b) <= 1e-4, `layer ${w.layer} ${key}: wasm ${a}, webgpu ${b}`);
    }
  }
  const [ew, eg] = [of(wasm, "rbm"), of(gpu, "rbm")];
  assert(ew.length === eg.length && ew.length >= 6, `${ew.length} / ${eg.length} error rows`);
  let identical = true;
  ew.forEach((w, i) => {
    const [a, b] = [w.reconstruction_error as number, eg[i].reconstruction_error as number];
    assert(Math.abs(a - b) <= 1e-4, `error row ${i}: wasm ${a}, webgpu ${b}`);
    if (a !== b) identical = false;
  });
  assert(!identical, "webgpu's errors equal wasm's to the last bit: did it run on the GPU?");
}
