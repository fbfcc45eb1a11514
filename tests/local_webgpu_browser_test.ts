/**
 * A viewer's local run on the browser's WebGPU (issue #33: "WebGPU where the browser has it"), on
 * Chromium's software adapter (SwiftShader): our WGSL kernels compute in the page's worker, and
 * tfjs stays on wasm, as in Deno (src/compute/backend.ts: tfjs-webgpu's synchronous read-back
 * read zeros here, silently, and neurodynamics' tangents vanished).
 */
import { assert, assertEquals } from "./assert.ts";
import { launch, NO_BROWSER, SOFTWARE_WEBGPU } from "./helpers/browser.ts";
import { workerFiles, workerRun } from "./helpers/local_worker.ts";
import { assertRbmAsOnWasm } from "./helpers/rbm_on_webgpu.ts";
import { ensureBundle } from "../src/server/assets.ts";
import type { Row } from "../src/runtime/run.ts";

const of = (rows: Row[], stream: string) => rows.filter((r) => r.stream === stream);

Deno.test({
  name:
    "run it here on the browser's WebGPU: the RBM's CD-1 on our WGSL kernels, as on wasm; tfjs stays on wasm",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const files = await workerFiles();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-gpu-" });
    await Deno.writeTextFile(`${dir}/blank.html`, "<!doctype html><title>blank</title>");
    const browser = await launch(SOFTWARE_WEBGPU);
    try {
      const page = await browser.newPage();
      // a file:// page is a secure context, so it has navigator.gpu
      await page.goto(`file://${dir}/blank.html`);
      // a 16 × 16 lattice and 2 epochs of 500 samples (as tests/webgpu_runs_test.ts in Deno)
      const p = { part: "rbm", size: 16, samples: 500, epochs: 2 };
      const { rows: wasm } = await workerRun(page, files, "deep-cheap", p, "wasm");
      const { rows: gpu } = await workerRun(page, files, "deep-cheap", p, "webgpu");
      const meta = of(gpu, "meta")[0];
      assertEquals(meta.backend, "webgpu");
      assert(/swiftshader/i.test(String(meta.adapter)), `adapter: ${meta.adapter}`);
      assert(String(meta.compute).startsWith("tfjs: wasm;"), String(meta.compute));
      const done = of(gpu, "done")[0];
      assertEquals(done.status, "ok", JSON.stringify(of(gpu, "error")[0]));
      assert(String(done.computed).includes("float32 webgpu"), String(done.computed));
      const [fw, fg] = [of(wasm, "fields"), of(gpu, "fields")];
      assert(fw.length === fg.length && fw.length > 0, `${fw.length} / ${fg.length} field rows`);
      assertRbmAsOnWasm(wasm, gpu);

      // a tfjs pipeline asked for webgpu: its tfjs part on wasm, so the same numbers as on wasm
      // (before, tfjs-webgpu read back zeros and the run ended "spread is NaN")
      const q = { depth: 3, width: 100, widths: 1, width_min: 100, points: 8 };
      const [{ rows: nw }, { rows: ng }] = [
        await workerRun(page, files, "neurodynamics", q, "wasm"),
        await workerRun(page, files, "neurodynamics", q, "webgpu"),
      ];
      assertEquals(of(ng, "done")[0].status, "ok", JSON.stringify(of(ng, "error")[0]));
      assertEquals(of(ng, "metric"), of(nw, "metric"));
      assertEquals(of(ng, "conformality"), of(nw, "conformality"));
    } finally {
      await browser.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
