/**
 * The server's runs: starting, stopping and listing them, and feeding their
 * rows to the hub (decimated per series, batched per stream). A run's full
 * rows go to its NDJSON log inside the runtime, before any of this.
 *
 * @module
 */
import { type Observable, tap } from "rxjs";
import type { BackendChoice } from "../compute/backend.ts";
import type { Pipeline, StreamSpec } from "../runtime/pipeline.ts";
import { type Row, runPipeline, type RunStatus } from "../runtime/run.ts";
import { newRunId } from "../runtime/run_id.ts";
import { batchByStream } from "./batch.ts";
import { decimateSeries } from "./decimate.ts";
import type { Hub } from "./hub.ts";

export interface RunRecord {
  readonly run: string;
  readonly pipeline: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly started: string;
  /** "replay" for a recorded run played back */
  readonly source: "live" | "replay";
  status: "running" | RunStatus;
  seconds: number | null;
  rows: number;
}

export interface RunsOptions {
  readonly backend: BackendChoice;
  readonly logDir: string | null;
  readonly batchMs?: number;
}

export class Runs {
  readonly #records = new Map<string, RunRecord>();
  readonly #stops = new Map<string, AbortController>();

  constructor(readonly hub: Hub, readonly opts: RunsOptions) {}

  /** Start a run of `def` with resolved params; its rows flow to the hub at once. */
  // deno-lint-ignore no-explicit-any
  start(def: Pipeline<any>, params: Record<string, number | string>): RunRecord {
    const run = newRunId();
    const stop = new AbortController();
    const rows$ = runPipeline(def, {
      params,
      runId: run,
      backend: this.opts.backend,
      logDir: this.opts.logDir,
      signal: stop.signal,
    });
    return this.#attach(run, def.id, params, "live", def.streams, rows$, stop);
  }

  /** Feed a recorded run (its rows, envelope included) to the hub as if live. */
  replay(
    run: string,
    pipeline: string,
    params: Record<string, number | string>,
    streams: Readonly<Record<string, StreamSpec>>,
    rows$: Observable<Row>,
  ): RunRecord {
    return this.#attach(run, pipeline, params, "replay", streams, rows$, new AbortController());
  }

  stop(run: string): RunRecord | undefined {
    const rec = this.#records.get(run);
    if (rec?.status === "running") this.#stops.get(run)?.abort();
    return rec;
  }

  get(run: string): RunRecord | undefined {
    return this.#records.get(run);
  }

  list(): RunRecord[] {
    return [...this.#records.values()];
  }

  /** Stop every run (server shutdown). */
  stopAll(): void {
    for (const c of this.#stops.values()) c.abort();
  }

  #attach(
    run: string,
    pipeline: string,
    params: Record<string, number | string>,
    source: RunRecord["source"],
    streams: Readonly<Record<string, StreamSpec>>,
    rows$: Observable<Row>,
    stop: AbortController,
  ): RunRecord {
    const rec: RunRecord = {
      run,
      pipeline,
      params,
      started: new Date().toISOString(),
      source,
      status: "running",
      seconds: null,
      rows: 0,
    };
    this.#records.set(run, rec);
    this.#stops.set(run, stop);
    const sub = rows$.pipe(
      tap((row) => {
        rec.rows++;
        if (row.stream === "done") {
          rec.status = row.status as RunStatus;
          rec.seconds = row.seconds as number;
        }
      }),
      decimateSeries(streams),
      batchByStream(this.opts.batchMs ?? 25),
    ).subscribe({
      next: (batch) => this.hub.publish(batch),
      complete: () => this.#stops.delete(run),
    });
    stop.signal.addEventListener("abort", () => {
      // A replay has no runtime to write its done row: stopping it ends the feed.
      if (source === "replay") sub.unsubscribe();
    });
    return rec;
  }
}
