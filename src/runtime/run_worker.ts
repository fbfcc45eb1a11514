/**
 * The inside of one run's Worker (DESIGN.md "Compute", layer 1): it imports the pipeline's
 * module, runs it with the ordinary runtime (runPipeline: meta first, done last, the same
 * rows and seq as on a main thread) and posts the rows to the serving thread in batches.
 * The serving thread logs and routes them; this thread does nothing else, so a run that
 * holds it for seconds holds no viewer.
 *
 * A fresh worker is started ahead of need and warms itself (the runtime, the registry, tfjs
 * on the server's backend) so that a slide's run starts without the ≈ 0.6 s module load;
 * a changed pipeline is imported by its new URL, so hot reload gets the new code. It also
 * starts the Workers a run would start — its float64 kernel threads, a normal-drawing worker
 * — because a Worker started from a Worker takes ≈ 0.5 s to start running (Deno 2.9; from a
 * main thread ≈ 20 ms): a signal-propagation slide began 2.3 s late without this.
 *
 * Messages in: `{type: "warm", backend, threads, kernelControl}`, `{type: "run", id, url,
 * options}`. Out: `{type: "rows", rows}` (each batch
 * in order), `{type: "ready"}` once warm, `{type: "fatal", message}` when the pipeline
 * cannot be found.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { BackendChoice } from "../compute/backend.ts";
import { f64Pool, startF64Pool, stopF64Pool } from "../compute/f64/mod.ts";
import { prestartNormalWorker } from "../random/normal_matrices.ts";
import { CORES } from "./threads.ts";
import type { Pipeline } from "./pipeline.ts";
import { type Row, type RunOptions, runPipeline } from "./run.ts";

export interface RunJob {
  readonly type: "run";
  /** the pipeline's id, and the module that defines it (a versioned URL after a hot reload) */
  readonly id: string;
  readonly url: string;
  readonly options: Omit<RunOptions, "signal" | "logDir">;
}

export interface WarmJob {
  readonly type: "warm";
  readonly backend: BackendChoice;
  /** the kernel threads a run here will ask for, and the control block the pool ends them by */
  readonly threads: number;
  readonly kernelControl: Int32Array;
}

export type WorkerMessage =
  | { readonly type: "rows"; readonly rows: readonly Row[] }
  | { readonly type: "ready" }
  | { readonly type: "fatal"; readonly message: string };

/** Rows per message at most: a long batch would make the serving thread's one task long. */
const BATCH = 512;

const post = (m: WorkerMessage) => self.postMessage(m);

// deno-lint-ignore no-explicit-any
function findDef(mod: Record<string, unknown>, id: string): Pipeline<any> | undefined {
  const isDef = (v: unknown): v is Pipeline =>
    typeof v === "object" && v !== null && (v as Pipeline).id === id &&
    typeof (v as Pipeline).run === "function";
  for (const v of Object.values(mod)) {
    if (isDef(v)) return v;
    if (Array.isArray(v)) {
      const found = v.find(isDef);
      if (found) return found;
    }
  }
  return undefined;
}

async function warm(job: WarmJob) {
  prestartNormalWorker();
  const kernels = job.threads > 1
    ? startF64Pool(job.threads, job.kernelControl).catch(() => {}) // a run retries, and reports
    : null;
  // the registry's modules and tfjs: the slow part of a cold start, done before a run needs it
  await import("../../pipelines/mod.ts");
  const { useBackend } = await import("../compute/backend.ts");
  await useBackend(job.backend).catch(() => {}); // a bad backend is reported by the run itself
  await kernels;
}

let started = false;
let warming: Promise<void> | null = null;

self.onmessage = async (e: MessageEvent<RunJob | WarmJob>) => {
  const msg = e.data;
  if (msg.type === "warm") {
    warming = warm(msg);
    await warming;
    post({ type: "ready" });
    return;
  }
  if (msg.type !== "run" || started) return;
  started = true; // one run per worker: stopping a run ends its worker
  await warming;
  // a kernel pool warmed for another thread count (a shard asks for one) is not this run's
  if (f64Pool() && f64Pool()!.threads !== (msg.options.threads ?? CORES)) stopF64Pool();
  const mod = await import(msg.url).catch((err) => err as Error);
  const def = mod instanceof Error ? undefined : findDef(mod, msg.id);
  if (!def) {
    const why = mod instanceof Error ? mod.message : `it exports no pipeline "${msg.id}"`;
    post({ type: "fatal", message: `cannot load pipeline ${msg.id} from ${msg.url}: ${why}` });
    return;
  }
  let batch: Row[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (batch.length) post({ type: "rows", rows: batch });
    batch = [];
  };
  runPipeline(def, { ...msg.options, logDir: null }).subscribe({
    next: (row) => {
      batch.push(row);
      if (batch.length >= BATCH) flush();
      else if (!scheduled) {
        // the pipeline yields every few ms (ctx.tick), and the batch goes then
        scheduled = true;
        setTimeout(flush, 0);
      }
    },
    complete: flush,
  });
};
