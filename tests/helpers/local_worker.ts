/**
 * The browser's local-run worker (src/browser/local_worker.ts) driven in a Chromium page as
 * dashboard/local_run.ts drives it: a classic worker from a blob, handed the prebuilt binaries,
 * sent the packed MNIST digits only if it asks for them.
 */
import type { Page } from "./browser.ts";
import type { Row } from "../../src/runtime/run.ts";
import { localFiles, mnistPacked } from "../../src/server/assets.ts";
import { encodeBase64 } from "../../src/cli/export_command.ts";

/** What the page hands the worker (arrays, as page.evaluate takes them). */
export interface WorkerFiles {
  code: string;
  simd: number[];
  f64: number[];
  tfjs: number[];
  /** the packed digits gzipped, in base64, as an export holds them */
  mnist: string;
}

export async function workerFiles(): Promise<WorkerFiles> {
  const files = await localFiles();
  return {
    code: files.worker,
    simd: Array.from(files.simdKernels),
    f64: Array.from(files.f64Kernels),
    tfjs: Array.from(files.tfjsWasm),
    mnist: encodeBase64(await mnistPacked()),
  };
}

/** One run in a fresh worker of `page`: its rows, and whether it asked for the digits. */
export function workerRun(
  page: Page,
  files: WorkerFiles,
  pipeline: string,
  params: Record<string, unknown>,
  backend = "auto",
): Promise<{ rows: Row[]; askedForMnist: boolean }> {
  return page.evaluate(
    ([{ code, simd, f64, tfjs, mnist }, pipeline, params, backend]) =>
      new Promise<{ rows: Row[]; askedForMnist: boolean }>((resolve, reject) => {
        const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
        const w = new Worker(url);
        const rows: Row[] = [];
        let askedForMnist = false;
        w.onmessage = async (e) => {
          if (e.data.kind === "rows") rows.push(...e.data.rows);
          else if (e.data.kind === "end") resolve({ rows, askedForMnist }), w.terminate();
          else if (e.data.kind === "need-mnist") {
            askedForMnist = true;
            const gz = Uint8Array.from(atob(mnist), (c) => c.charCodeAt(0));
            const bytes = await new Response(
              new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")),
            ).arrayBuffer();
            w.postMessage({ kind: "mnist", bytes }, [bytes]);
          }
        };
        w.onerror = (e) => reject(new Error(e.message));
        const [a, b, c] = [simd, f64, tfjs].map((x) => new Uint8Array(x).buffer);
        w.postMessage({ kind: "init", simdKernels: a, f64Kernels: b, tfjsWasm: c }, [a, b, c]);
        w.postMessage({ kind: "run", run: "local-test", pipeline, params, backend });
      }),
    [files, pipeline, params, backend] as const,
  );
}
