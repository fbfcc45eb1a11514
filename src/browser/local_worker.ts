/**
 * A run in the viewer's browser (issue #33): this Web Worker runs one of pipelines/local.ts's
 * pipelines with the viewer's params and posts its rows to the page, which draws them into the
 * slide's panels like rows from the server. Nothing here makes a request: the page hands in the
 * prebuilt WebAssembly (our float32 and float64 kernels, tfjs's wasm binary) with the first message.
 *
 * The same row contract as the server's runs: `runPipeline` makes every row, `meta` says what
 * computed (float64 on the f64x2 kernels, one thread on plain memory: a page that is not
 * cross-origin isolated has no SharedArrayBuffer for the pool's helpers), and bad params end in
 * an `error` row naming the param, never a throw.
 *
 * MNIST is loaded on demand: before a run that reads it (pipelines/local.ts MNIST_READERS) the
 * worker asks the page for the packed digits, once, and holds the run until they come.
 *
 * Messages in:  {kind: "init", simdKernels, f64Kernels, tfjsWasm: ArrayBuffer}
 *               {kind: "run", run, pipeline, params}   {kind: "stop"}
 *               {kind: "mnist", bytes: ArrayBuffer}   (the answer to "need-mnist")
 * Messages out: {kind: "rows", rows}   {kind: "end"}   {kind: "need-mnist"}
 *
 * @module
 */
import type { Subscription } from "rxjs";
import { LOCAL_PIPELINES, MNIST_READERS } from "../../pipelines/local.ts";
import { providePrebuilt } from "../compute/wat.ts";
import { SIMD_KERNELS } from "../compute/simd_kernels.ts";
import { F64_KERNELS_SOLO } from "../compute/f64/pool.ts";
import { startSoloF64Pool } from "../compute/f64/mod.ts";
import { type BackendChoice, BACKENDS, provideTfjsWasm } from "../compute/backend.ts";
import { resolveRunParams } from "../runtime/run_params.ts";
import { type Row, runPipeline } from "../runtime/run.ts";
import { drawNormalsInThread } from "../random/normal_matrices.ts";
import { installMnist, mnistInstalled } from "./mnist.ts";

// this worker cannot start module workers of its own (it is a classic script: see assets.ts)
drawNormalsInThread();

/** Rows go to the page at most this often (one message per batch, as SSE batches them). */
const FLUSH_MS = 50;

type In =
  | { kind: "init"; simdKernels: ArrayBuffer; f64Kernels: ArrayBuffer; tfjsWasm: ArrayBuffer }
  | {
    kind: "run";
    run: string;
    pipeline: string;
    params: Record<string, unknown>;
    /** "auto" unless said: tests force "webgpu" on a software adapter, which auto skips */
    backend?: BackendChoice;
  }
  | { kind: "stop" }
  | { kind: "mnist"; bytes: ArrayBuffer };

const post = (msg: unknown) => (self as unknown as Worker).postMessage(msg);
let current: { sub: Subscription; stop: AbortController } | null = null;
/** a run held until the page sends the digits it reads */
let waiting: Extract<In, { kind: "run" }> | null = null;
/** the float64 pool, started from the kernels `init` hands in; runs wait for it */
let pool: Promise<unknown> = Promise.resolve();
/** the run asked for last, until the pool is ready (a stop before then drops it) */
let queued: Extract<In, { kind: "run" }> | null = null;

function run(msg: Extract<In, { kind: "run" }>) {
  current?.stop.abort();
  waiting = null;
  const def = LOCAL_PIPELINES.find((p) => p.id === msg.pipeline);
  let pending: Row[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    timer = undefined;
    if (pending.length) post({ kind: "rows", rows: pending });
    pending = [];
  };
  const fail = (message: string, param?: string) => {
    post({
      kind: "rows",
      rows: [
        { run: msg.run, pipeline: msg.pipeline, stream: "error", seq: 0, message, param },
        { run: msg.run, pipeline: msg.pipeline, stream: "done", seq: 1, status: "failed" },
      ],
    });
    post({ kind: "end" });
  };
  if (!def) return fail(`pipeline ${msg.pipeline} does not run in a browser`);
  const backend = msg.backend ?? "auto";
  if (!BACKENDS.includes(backend)) {
    return fail(`backend must be one of ${BACKENDS.join(", ")}, got ${backend}`, "backend");
  }
  let params;
  try {
    params = resolveRunParams(def, msg.params);
  } catch (e) {
    return fail((e as Error).message, (e as { param?: string }).param);
  }
  if (MNIST_READERS[def.id]?.(params) && !mnistInstalled()) {
    waiting = msg;
    return post({ kind: "need-mnist" });
  }
  const stop = new AbortController();
  const sub = runPipeline(def, {
    params,
    runId: msg.run,
    backend,
    logDir: null,
    signal: stop.signal,
    threads: 0,
  }).subscribe({
    next: (row) => {
      pending.push(row);
      timer ??= setTimeout(flush, FLUSH_MS);
    },
    complete: () => {
      clearTimeout(timer);
      flush();
      post({ kind: "end" });
    },
  });
  current = { sub, stop };
}

self.onmessage = (e: MessageEvent<In>) => {
  const msg = e.data;
  if (msg.kind === "init") {
    providePrebuilt(SIMD_KERNELS.name, new Uint8Array(msg.simdKernels));
    providePrebuilt(F64_KERNELS_SOLO.name, new Uint8Array(msg.f64Kernels));
    // should it fail (a browser without wasm SIMD), float64 runs in plain TypeScript, and the
    // meta row says so (f64Backend: "js")
    pool = startSoloF64Pool().catch((e) => console.warn(`float64 kernels: ${e.message ?? e}`));
    // a blob: URL made here (one the page made is not fetchable from a file:// page's worker).
    // tfjs asks a map for all three of its builds; the SIMD one answers for each: every browser
    // we target has SIMD, and the threaded build needs a cross-origin-isolated page
    const url = URL.createObjectURL(new Blob([msg.tfjsWasm], { type: "application/wasm" }));
    provideTfjsWasm(
      Object.fromEntries(
        [
          "tfjs-backend-wasm.wasm",
          "tfjs-backend-wasm-simd.wasm",
          "tfjs-backend-wasm-threaded-simd.wasm",
        ]
          .map((f) => [f, url]),
      ),
    );
  } else if (msg.kind === "run") {
    queued = msg;
    pool.then(() => queued === msg && run(msg));
  } else if (msg.kind === "mnist") {
    installMnist(new Uint8Array(msg.bytes));
    if (waiting) run(waiting);
  } else {
    queued = waiting = null;
    current?.stop.abort();
  }
};
