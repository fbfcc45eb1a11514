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
import type { Fields, Pipeline } from "./pipeline.ts";
import type { Row, RunOptions, RunStatus } from "./run.ts";
import { RunLog } from "./run_log.ts";
import { MAX_THREADS } from "./threads.ts";
import type { RunJob, WorkerMessage } from "./run_worker.ts";

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

  #spawn(): Worker {
    const w = new Worker(new URL("./run_worker.ts", import.meta.url), { type: "module" });
    w.postMessage({ type: "warm", backend: this.#backend });
    return w;
  }

  #take(): Worker {
    const w = this.#spare ?? this.#spawn();
    this.#spare = this.#spawn();
    return w;
  }

  #release(): void {
    this.#busy--;
    const next = this.#waiting.shift();
    if (next) {
      this.#busy++;
      next.start(this.#take());
    }
  }

  /** Stop warming (server shutdown). */
  close(): void {
    this.#spare?.terminate();
    this.#spare = null;
  }

  /**
   * A run of `def` in a worker: the same rows as `runPipeline(def, opts)`, logged here. Cold:
   * each subscription is one run; unsubscribing ends it (and its worker) without a `done` row,
   * as runPipeline's teardown does.
   */
  // deno-lint-ignore no-explicit-any
  run(def: Pipeline<any>, opts: RunOptions): Observable<Row> {
    const url = sourceOf(def);
    if (!url) throw new Error(`pipeline ${def.id} has no registered module to run in a worker`);
    if (opts.shard) throw new Error("a shard of a sweep runs on a Redis worker, not in the pool");
    return new Observable<Row>((subscriber) => {
      const log = opts.logDir ? new RunLog(opts.logDir, opts.runId) : null;
      let worker: Worker | null = null;
      // the run's kernel threads are the worker's own Workers: terminating it leaves them, so
      // they wait on a control block made here, and are told to end when the run does
      const kernelControl = newKernelControl();
      let t0 = performance.now();
      let rows = 0;
      let finished = false;

      const emit = (row: Row) => {
        rows++;
        log?.append(row);
        subscriber.next(row);
      };
      const own = (stream: string, fields: Fields) =>
        emit(
          Object.freeze({ run: opts.runId, pipeline: def.id, stream, seq: rows, ...fields }) as Row,
        );
      const end = (status: RunStatus | null, error?: string) => {
        if (finished) return;
        finished = true;
        opts.signal?.removeEventListener("abort", onAbort);
        if (worker) {
          worker.terminate();
          closeKernelControl(kernelControl);
          worker = null;
          this.#release();
        } else {
          const i = this.#waiting.indexOf(pending);
          if (i >= 0) this.#waiting.splice(i, 1);
        }
        if (status) {
          // a run stopped while it waited never ran: its log still opens with a meta row
          if (rows === 0) {
            own("meta", { title: def.title, cite: def.cite, ...opts.params, compute: "none" });
          }
          if (error) own("error", { message: error });
          own("done", { status, seconds: (performance.now() - t0) / 1000, rows, computed: null });
        }
        log?.close();
        if (status) subscriber.complete();
      };
      const onAbort = () => end("stopped");

      const pending: Pending = {
        start: (w) => {
          worker = w;
          t0 = performance.now();
          w.onmessage = (e: MessageEvent<WorkerMessage>) => {
            const m = e.data;
            if (m.type === "fatal") return end("failed", m.message);
            if (m.type !== "rows") return;
            for (const r of m.rows) {
              if (finished) return;
              const row = Object.freeze(r);
              if (row.stream === "done") {
                finished = true; // the run ended itself: its done row is the worker's
                emit(row);
                opts.signal?.removeEventListener("abort", onAbort);
                worker?.terminate();
                closeKernelControl(kernelControl);
                worker = null;
                this.#release();
                log?.close();
                subscriber.complete();
                return;
              }
              emit(row);
            }
          };
          w.onerror = (e) => {
            e.preventDefault(); // the worker's error is this run's, not the server's
            end("failed", `the run's worker died: ${e.message}`);
          };
          w.onmessageerror = () => end("failed", "the run's worker sent a row that cannot be read");
          const { signal: _s, logDir: _l, ...rest } = opts;
          const options = { ...rest, kernelControl };
          w.postMessage({ type: "run", id: def.id, url, options } satisfies RunJob);
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
