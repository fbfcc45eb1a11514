/**
 * Running a pipeline: the runtime's side of DESIGN.md's flow of data. It picks
 * the backend, seeds the random source, emits `meta` first and `done` last
 * (with `error` before it on failure), stamps the envelope (run, pipeline,
 * stream, seq) on every row, and appends each row to the run's log before
 * anyone else sees it. The result is cold: each subscription is one run, so
 * callers multicast it (`share()`) when several consumers watch.
 *
 * @module
 */
import { Observable, type Subscription } from "rxjs";
import { type BackendChoice, type Tf, useBackend } from "../compute/backend.ts";
import { f64Backend, startF64Pool } from "../compute/f64/mod.ts";
import { float32Engine } from "../compute/float32.ts";
import { markUsage, type UsageMark, usageSince } from "../compute/usage.ts";
import { ParamError } from "../params/schema.ts";
import { Rng } from "../random/rng.ts";
import {
  type Fields,
  type Pipeline,
  type RunContext,
  RunError,
  RUNTIME_STREAMS,
  type Value,
} from "./pipeline.ts";
import { RunLog } from "./run_log.ts";
import { CORES } from "./threads.ts";

/** A row on the bus: envelope first, then data. Frozen: rows are shared by every consumer. */
export type Row = Readonly<
  { run: string; pipeline: string; stream: string; seq: number } & Record<string, Value>
>;

export type RunStatus = "ok" | "stopped" | "failed";

export const VERSION = "0.1.0";

export interface RunOptions {
  /** params already resolved (defaults filled, validated), seed included */
  readonly params: Readonly<Record<string, number | string>>;
  readonly runId: string;
  readonly backend: BackendChoice;
  /** where `<run>.ndjson` goes; null for no log */
  readonly logDir: string | null;
  /** stops the run; its `done` row then says "stopped" */
  readonly signal?: AbortSignal;
  /**
   * One shard of a sweep split over workers (pipelines with `shardable`): it computes the
   * items k ≡ index (mod count), numbers its rows seq = n·count + index (so shards never
   * clash), leaves `meta` and `progress` to shard 0, and ends with a `shard` row instead of
   * `done`: the merge (src/server/run_queue.ts) writes the run's one `done` when all have.
   * Its log is `<run>.shard-<index+1>-of-<count>.ndjson`.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * threads of this thread's float64 kernel pool (src/compute/f64), started before the first
   * run that needs one (default: the core count; a thread's pool keeps its first size). 0: no
   * pool, float64 in plain TypeScript — a browser's worker (src/browser/local_worker.ts), where
   * the pool's shared memory needs a cross-origin-isolated page
   */
  readonly threads?: number;
  /** the kernel pool's control block, when another thread must be able to end its helpers */
  readonly kernelControl?: Int32Array;
}

/** A shard's last row, in place of `done`. */
export const SHARD_STREAM = "shard";

/** How long a pipeline may hold the event loop before `tick()` yields (SSE must keep flowing). */
const SLICE_MS = 15;

const ENVELOPE = new Set(["run", "pipeline", "stream", "seq"]);

/** The first field holding NaN or ±Infinity (JSON would silently write null), if any. */
function nonFinite(row: Fields): string | undefined {
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "number" && !Number.isFinite(v)) return k;
    if (Array.isArray(v) && v.some((x) => !Number.isFinite(x))) return k;
  }
  return undefined;
}

/** V8's and WebAssembly's words for an allocation that failed (RangeErrors all). */
const OUT_OF_MEMORY =
  /allocation failed|Invalid typed array length|Invalid array buffer length|grow|Out of memory|past WebAssembly's 4 GiB/i;

function errorFields(
  err: unknown,
  // deno-lint-ignore no-explicit-any
  def: Pipeline<any>,
  params: Readonly<Record<string, number | string>>,
): Fields {
  if (err instanceof RangeError && OUT_OF_MEMORY.test(err.message) && def.memory?.length) {
    const levers = def.memory.map((k) => `${k} (now ${params[k]})`).join(", then ");
    return {
      message: `out of memory (${err.message}): lower ${levers}`,
      param: def.memory[0],
    };
  }
  if (err instanceof RunError) {
    // The envelope is the runtime's: a field named like it would overwrite it.
    const fields = Object.entries(err.fields).filter(([k]) => !ENVELOPE.has(k));
    return { message: err.message, ...Object.fromEntries(fields) };
  }
  if (err instanceof ParamError) return { message: err.message, param: err.param };
  return { message: err instanceof Error ? err.message : String(err) };
}

// deno-lint-ignore no-explicit-any
export function runPipeline(def: Pipeline<any>, opts: RunOptions): Observable<Row> {
  return new Observable<Row>((subscriber) => {
    const t0 = performance.now();
    const shard = opts.shard && opts.shard.count > 1 ? opts.shard : null;
    const log = opts.logDir
      ? new RunLog(
        opts.logDir,
        shard ? `${opts.runId}.shard-${shard.index + 1}-of-${shard.count}` : opts.runId,
      )
      : null;
    // A run without a caller's signal still hands pipelines one (that never fires).
    const signal = opts.signal ?? new AbortController().signal;
    let seq = 0;
    let finished = false;
    // what computed: counters read at the start, their movement named in the done row
    let usage: { mark: UsageMark; tf: Tf; backend: string } | null = null;
    let inner: Subscription | undefined;

    const emit = (stream: string, fields: Fields) => {
      if (shard && shard.index > 0 && (stream === "meta" || stream === "progress")) return;
      const n = seq++;
      const row = Object.freeze({
        run: opts.runId,
        pipeline: def.id,
        stream: shard && stream === "done" ? SHARD_STREAM : stream,
        seq: shard ? n * shard.count + shard.index : n,
        ...(shard && stream === "done" ? { index: shard.index, count: shard.count } : {}),
        ...fields,
      }) as Row;
      log?.append(row);
      subscriber.next(row);
    };
    const finish = (status: RunStatus) => {
      if (finished) return;
      finished = true;
      inner?.unsubscribe();
      signal.removeEventListener("abort", onAbort);
      const computed = usage ? usageSince(usage.mark, usage.tf, usage.backend) : null;
      emit("done", { status, seconds: (performance.now() - t0) / 1000, rows: seq, computed });
      log?.close();
      subscriber.complete();
    };
    const fail = (err: unknown) => {
      if (finished) return;
      emit("error", errorFields(err, def, opts.params));
      finish("failed");
    };
    const onAbort = () => finish("stopped");

    (async () => {
      const { tf, info } = await useBackend(opts.backend);
      const float32 = await float32Engine(opts.backend);
      if (opts.threads !== 0) await startF64Pool(opts.threads ?? CORES, opts.kernelControl);
      usage = { mark: markUsage(tf), tf, backend: info.tfjs };
      if (finished || subscriber.closed) return;
      emit("meta", {
        title: def.title,
        cite: def.cite,
        ...opts.params,
        backend: info.backend,
        adapter: info.adapter,
        fallback_adapter: info.fallback_adapter,
        // what may compute each part; the done row's `computed` names those that did
        compute: `tfjs: ${info.tfjs}; float64: ${f64Backend()}; float32 kernels: ${
          float32.kind === "webgpu" ? `webgpu (${float32.adapter})` : "wasm-simd f32x4"
        }`,
        versions: `statmech-live ${VERSION}; ${runtimeName()}; tfjs ${tf.version.tfjs}`,
      });
      if (signal.aborted) return finish("stopped");
      signal.addEventListener("abort", onAbort);
      let last = performance.now();
      let percent = -1; // the last whole percent reported
      const ctx: RunContext = {
        rng: new Rng(Number(opts.params.seed ?? 0)),
        tf,
        backend: info.backend,
        float32,
        signal,
        tick: async () => {
          if (performance.now() - last < SLICE_MS) return;
          await new Promise((r) => setTimeout(r, 0));
          last = performance.now();
        },
        mine: (k) => !shard || k % shard.count === shard.index,
        shards: shard?.count ?? 1,
        progress: (done, total) => {
          // a shard does 1/count of the sweep's `total`: shard 0 speaks for all (they keep pace)
          const share = shard ? shard.count : 1;
          const fraction = total > 0 ? Math.min(1, Math.max(0, (share * done) / total)) : 1;
          const now = Math.floor(100 * fraction);
          if (finished || now <= percent) return;
          percent = now;
          emit("progress", { done, total, fraction });
        },
      };
      const { seed: _seed, ...params } = opts.params;
      inner = def.run(params, ctx).subscribe({
        next: ({ stream, row }) => {
          if (finished) return;
          if (!def.streams[stream] || (RUNTIME_STREAMS as readonly string[]).includes(stream)) {
            return fail(
              new RunError(`pipeline ${def.id} emitted a row on undeclared stream "${stream}"`),
            );
          }
          const clash = Object.keys(row).find((k) => ENVELOPE.has(k));
          if (clash) return fail(new RunError(`pipeline ${def.id} set envelope field "${clash}"`));
          const bad = nonFinite(row);
          if (bad !== undefined) {
            return fail(
              new RunError(`${stream}.${bad} is ${row[bad]}: the computation diverged`, {
                field: bad,
                ...pick(row),
              }),
            );
          }
          emit(stream, row);
        },
        error: fail,
        complete: () => finish("ok"),
      });
    })().catch(fail);

    return () => {
      signal.removeEventListener("abort", onAbort);
      inner?.unsubscribe();
      if (!finished) {
        finished = true;
        log?.close();
      }
    };
  });
}

/** What runs this code: Deno and its version, or the viewer's browser (a local run). */
function runtimeName(): string {
  const deno = (globalThis as { Deno?: { version: { deno: string } } }).Deno;
  return deno ? `deno ${deno.version.deno}` : `browser (${navigator.userAgent})`;
}

/** The integer-valued locating fields of a bad row (layer, step…), to name where it diverged. */
function pick(row: Fields): Fields {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(row)) {
    if (typeof v === "number" && Number.isInteger(v)) out[k] = v;
  }
  return out;
}
