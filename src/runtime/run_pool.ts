/**
 * Runs computed off the serving thread (DESIGN.md "Compute", layer 1): each run executes in
 * a Deno Worker of its own (run_worker.ts), at most `size` at once; later runs wait their
 * turn. The serving thread only receives rows, logs them (before anyone else sees them, as
 * the runtime does on a main thread) and hands them on.
 *
 * Ending a run ends its worker: a stop terminates it at once, wherever its loop is, and the
 * pool writes the `done` row; a worker that dies (an uncaught error, a pipeline that cannot
 * load) ends its run `failed` with an `error` row after every row it had sent. A worker is
 * warmed ahead of need (see run_worker.ts), so a run starts without a cold module load.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { BackendChoice } from "../compute/backend.ts";
import { closeKernelControl, newKernelControl } from "../compute/f64/mod.ts";
import { mergeUsage } from "../compute/usage.ts";
import type { Fields, Pipeline } from "./pipeline.ts";
import { type Row, type RunOptions, type RunStatus, SHARD_STREAM } from "./run.ts";
import { RunLog } from "./run_log.ts";
import { MAX_THREADS } from "./threads.ts";
import type { RunJob, WarmJob, WorkerMessage } from "./run_worker.ts";

/** The module that defines each pipeline, for a worker to import (registered with the registry). */
// deno-lint-ignore no-explicit-any
const sources = new WeakMap<Pipeline<any>, string>();

/** Record where `def` is defined (its module's URL; a versioned one after a hot reload). */
// deno-lint-ignore no-explicit-any
export function registerSource(def: Pipeline<any>, url: string): void {
  sources.set(def, url);
}

/** The module `def` comes from, if it was registered (a pipeline made in a test was not). */
// deno-lint-ignore no-explicit-any
export function sourceOf(def: Pipeline<any>): string | undefined {
  return sources.get(def);
}

interface Pending {
  readonly start: (worker: Worker) => void;
}

export class RunPool {
  readonly #size: number;
  readonly #backend: BackendChoice;
  #busy = 0;
  readonly #waiting: Pending[] = [];
  /** the next run's worker, warming (null until the first run asks, and while none is wanted) */
  #spare: Worker | null = null;
  /** the control block each worker's kernel threads were started with, while it warms */
  readonly #controls = new WeakMap<Worker, Int32Array>();

  constructor(size: number, backend: BackendChoice) {
    if (!(Number.isInteger(size) && size >= 1 && size <= MAX_THREADS)) {
      throw new RangeError(`threads must be an integer in [1, ${MAX_THREADS}], got ${size}`);
    }
    this.#size = size;
    this.#backend = backend;
  }

  get size(): number {
    return this.#size;
  }

  /** Whether a run started now would wait for a free worker. */
  get full(): boolean {
    return this.#busy >= this.#size;
  }

  /** Start warming a worker now (the server does at start, so the first slide starts warm). */
  warm(): void {
    this.#spare ??= this.#spawn();
  }

  /** A worker that warms itself, with its kernel threads (`threads` of them) started. */
  #spawn(threads = this.#size): Worker {
    const w = new Worker(new URL("./run_worker.ts", import.meta.url), { type: "module" });
    const kernelControl = newKernelControl();
    this.#controls.set(w, kernelControl);
    w.postMessage(
      { type: "warm", backend: this.#backend, threads, kernelControl } satisfies WarmJob,
    );
    return w;
  }

  #take(): Worker {
    const w = this.#spare ?? this.#spawn();
    this.#spare = this.#spawn();
    return w;
  }

  #release(): void {
    this.#busy--;
    // newest first: in a talk the run asked for last is the slide on screen, and the runs of
    // slides the speaker moved past can wait
    const next = this.#waiting.pop();
    if (next) {
      this.#busy++;
      next.start(this.#take());
    }
  }

  /** Stop warming (server shutdown). */
  close(): void {
    if (this.#spare) {
      this.#spare.terminate();
      closeKernelControl(this.#controls.get(this.#spare)!); // its kernel threads outlive it else
    }
    this.#spare = null;
  }

  /**
   * A run of `def` in a worker: the same rows as `runPipeline(def, opts)`, logged here. Cold:
   * each subscription is one run; unsubscribing ends it (and its workers) without a `done` row,
   * as runPipeline's teardown does.
   *
   * A pipeline with a shardable sweep (`def.shardable`) is split over the pool's size in
   * workers, as the Redis workers split it (src/runtime/run.ts's `shard`): shard k computes the
   * items ≡ k, shard 0 alone writes meta and progress, and the pool writes the one `done` when
   * every shard has ended (its `computed` adds up theirs). Rows are numbered here in the order they arrive (so each stream's
   * seq rises, as viewers expect); other shards' rows wait until shard 0's meta has gone first.
   * The same rows as one worker computes, in another order. `onStart` is called when the run
   * takes its worker (at once, or when it leaves the queue).
   */
  // deno-lint-ignore no-explicit-any
  run(def: Pipeline<any>, opts: RunOptions, onStart?: () => void): Observable<Row> {
    const url = sourceOf(def);
    if (!url) throw new Error(`pipeline ${def.id} has no registered module to run in a worker`);
    if (opts.shard) throw new Error("a shard of a sweep runs on a Redis worker, not in the pool");
    const count = def.shardable && (def.splits?.(opts.params) ?? true) ? this.#size : 1;
    return new Observable<Row>((subscriber) => {
      const log = opts.logDir ? new RunLog(opts.logDir, opts.runId) : null;
      const workers: Worker[] = [];
      // a run's kernel threads are its worker's own Workers: terminating the worker leaves them,
      // so they wait on control blocks made here, and are told to end when the run does
      const controls: Int32Array[] = [];
      let t0 = performance.now();
      let rows = 0;
      let finished = false;
      let metaSent = count === 1;
      const held: Row[] = [];
      const shardEnds: Row[] = [];

      const emit = (row: Row) => {
        const numbered = Object.freeze({ ...row, seq: rows++ }) as Row;
        log?.append(numbered);
        subscriber.next(numbered);
      };
      const own = (stream: string, fields: Fields) =>
        emit({ run: opts.runId, pipeline: def.id, stream, seq: 0, ...fields } as Row);
      const stopWorkers = () => {
        for (const w of workers) w.terminate();
        for (const c of controls) closeKernelControl(c);
        if (workers.length) this.#release();
        workers.length = 0;
      };
      const close = () => {
        opts.signal?.removeEventListener("abort", onAbort);
        log?.close();
        subscriber.complete();
      };
      const end = (status: RunStatus | null, error?: string) => {
        if (finished) return;
        finished = true;
        opts.signal?.removeEventListener("abort", onAbort);
        if (workers.length) stopWorkers();
        else {
          const i = this.#waiting.indexOf(pending);
          if (i >= 0) this.#waiting.splice(i, 1);
        }
        if (!status) return log?.close(); // unsubscribed: no done row, as runPipeline's teardown
        // a run stopped while it waited never ran: its log still opens with a meta row
        if (rows === 0) {
          own("meta", { title: def.title, cite: def.cite, ...opts.params, compute: "none" });
        }
        if (error) own("error", { message: error });
        own("done", { status, seconds: (performance.now() - t0) / 1000, rows, computed: null });
        close();
      };
      const onAbort = () => end("stopped");

      /** A shard's `shard` row: the last one ends the run with its one `done`. */
      const shardEnded = (row: Row) => {
        shardEnds.push(row);
        if (row.status !== "ok") return end(row.status as RunStatus);
        if (shardEnds.length < count) return;
        finished = true;
        stopWorkers();
        const computed = mergeUsage(shardEnds.map((r) => r.computed as string | null));
        own("done", { status: "ok", seconds: (performance.now() - t0) / 1000, rows, computed });
        close();
      };
      const receive = (index: number, batch: readonly Row[]) => {
        for (const row of batch) {
          if (finished) return;
          if (row.stream === SHARD_STREAM) {
            shardEnded(row);
          } else if (row.stream === "done") {
            finished = true; // the run ended itself: its done row is the worker's
            emit(row);
            stopWorkers();
            close();
          } else if (!metaSent && index > 0) {
            held.push(row);
          } else {
            emit(row);
            if (row.stream === "meta") {
              metaSent = true;
              for (const r of held.splice(0)) emit(r);
            }
          }
        }
      };

      const pending: Pending = {
        start: (first) => {
          t0 = performance.now();
          onStart?.();
          const { signal: _s, logDir: _l, ...rest } = opts;
          for (let index = 0; index < count; index++) {
            const w = index === 0 ? first : this.#spawn(1); // the other shards' workers start cold
            const kernelControl = this.#controls.get(w)!;
            workers.push(w);
            controls.push(kernelControl);
            w.onmessage = (e: MessageEvent<WorkerMessage>) => {
              const m = e.data;
              if (m.type === "fatal") return end("failed", m.message);
              if (m.type === "rows") receive(index, m.rows);
            };
            w.onerror = (e) => {
              e.preventDefault(); // the worker's error is this run's, not the server's
              end("failed", `the run's worker died: ${e.message}`);
            };
            w.onmessageerror = () =>
              end("failed", "the run's worker sent a row that cannot be read");
            // a split sweep's shards already use the cores: one kernel thread each (measured: as
            // quick as every core's threads for shard 1's unsplit part, nngp's, and no contention)
            const options = count === 1
              ? { ...rest, kernelControl }
              : { ...rest, kernelControl, shard: { index, count }, threads: 1 };
            w.postMessage({ type: "run", id: def.id, url, options } satisfies RunJob);
          }
        },
      };

      if (opts.signal?.aborted) {
        end("stopped");
        return;
      }
      opts.signal?.addEventListener("abort", onAbort);
      if (this.#busy < this.#size) {
        this.#busy++;
        pending.start(this.#take());
      } else this.#waiting.push(pending);
      return () => end(null);
    });
  }
}
