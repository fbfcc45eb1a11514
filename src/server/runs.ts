/**
 * The server's runs: starting, stopping and listing them, and feeding their
 * rows to the hub (decimated per series, batched per stream). A run's full
 * rows go to its NDJSON log inside the runtime, before any of this.
 *
 * Besides live runs there are runs recorded by earlier servers (listed from
 * the log directory at start, playable again), replays (a recorded log played
 * as a new run, at its original pace or faster), and ingested runs (rows
 * posted by another tool, logged and shown like any other).
 *
 * @module
 */
import { type Observable, Subject, tap } from "rxjs";
import { join } from "node:path";
import type { BackendChoice } from "../compute/backend.ts";
import type { Fields, Pipeline, StreamSpec } from "../runtime/pipeline.ts";
import { type Row, runPipeline, type RunStatus, SHARD_STREAM } from "../runtime/run.ts";
import { newRunId, RUN_ID_PATTERN } from "../runtime/run_id.ts";
import { RunLog } from "../runtime/run_log.ts";
import { type RunPool, sourceOf } from "../runtime/run_pool.ts";
import { batchByStream } from "./batch.ts";
import { decimateSeries } from "./decimate.ts";
import type { HubLike, Message } from "./hub.ts";
import { type IngestRow } from "./ingest.ts";
import { paced, parseRows } from "./replay.ts";

export interface RunRecord {
  readonly run: string;
  readonly pipeline: string;
  readonly params: Readonly<Record<string, number | string>>;
  readonly started: string;
  /**
   * live: computed here; replay: a recorded log played back; recorded: a log left
   * by an earlier server (not playing); ingest: rows posted over HTTP; remote: computed by
   * another replica or a worker on the same Redis hub, known here from its rows.
   */
  readonly source: "live" | "replay" | "recorded" | "ingest" | "remote";
  /**
   * interrupted: a recorded log with no `done` row (its server was killed); queued: waiting
   * for a free worker of the pool (`watch --threads`)
   */
  status: "queued" | "running" | RunStatus | "interrupted";
  seconds: number | null;
  rows: number;
  /** a replay: the run whose log it plays */
  readonly replay_of?: string;
  /** started here but computed by a worker (its rows come back through the hub) */
  readonly on_worker?: true;
}

/** Where a server sends runs when workers compute them (src/server/run_queue.ts). */
export interface RunSink {
  readonly available: boolean;
  /** workers up now */
  readonly workers: number;
  /** ask whoever computes `run` (a worker, another replica) to stop it */
  stop(run: string): void;
  /** queue a run; with shards > 1, as that many shards and a merge (a split sweep) */
  enqueue(
    job: { run: string; pipeline: string; params: Record<string, number | string> },
    shards: number,
  ): Promise<void>;
}

export interface RunsOptions {
  readonly backend: BackendChoice;
  readonly logDir: string | null;
  readonly batchMs?: number;
  /** with a Redis hub: the queue that workers take runs from, when they are up */
  readonly queue?: RunSink;
  /**
   * the Workers that compute runs off the serving thread (`watch`); without one (tests,
   * a Redis worker process) runs compute on this thread
   */
  readonly pool?: RunPool;
}

/** The most shards a sweep is split into. */
export const MAX_SHARDS = 16;

/** Fallback pace for a log with no `done.seconds` to time it by, rows per second. */
const DEFAULT_RATE = 200;

export class Runs {
  readonly #records = new Map<string, RunRecord>();
  readonly #stops = new Map<string, AbortController>();
  /** ingested runs still open: their feed, log and next seq */
  readonly #ingest = new Map<
    string,
    { feed: Subject<Row>; log: RunLog | null; seq: number; streams: Set<string> }
  >();

  /** runs whose rows this server computes or plays (the rest it learns from the hub) */
  readonly #here = new Set<string>();
  /** the last seq seen of each run known from the hub, so an interruption can end it */
  readonly #lastSeq = new Map<string, number>();
  readonly #finished = new Map<string, (rec: RunRecord) => void>();

  constructor(readonly hub: HubLike, readonly opts: RunsOptions) {
    // Runs computed elsewhere (another replica or a worker on a Redis hub) reach this server
    // only as rows on the hub: their meta and done rows make and close their records here, so
    // every replica lists the same runs. The hub's history comes first, then live messages.
    hub.subscribe({}, null, (m) => this.#observe(m), true);
  }

  #observe(m: Message): void {
    if (this.#here.has(m.run)) return; // this server's own: tracked as it runs
    const local = this.#records.get(m.run);
    if (local && local.source !== "remote" && !local.on_worker) return; // recorded, ingested…
    const last = m.data.slice(m.data.lastIndexOf("\n") + 1);
    const seq = Number(last.match(/"seq":(\d+)/)?.[1]);
    if (Number.isInteger(seq)) {
      this.#lastSeq.set(m.run, Math.max(seq, this.#lastSeq.get(m.run) ?? 0));
    }
    if (m.stream !== "meta" && m.stream !== "done") {
      if (local) local.rows += m.rows;
      return;
    }
    for (const line of m.data.split("\n")) {
      let row: Row;
      try {
        row = JSON.parse(line);
      } catch {
        continue; // not ours to judge: the viewers get the message as it is
      }
      const rec = this.#records.get(m.run);
      if (row.stream === "meta" && !rec) {
        this.#records.set(m.run, {
          ...running(m.run, row.pipeline, metaParams(row), "remote"),
          started: startedOf(m.run),
          rows: 1,
        });
      } else if (row.stream === "done" && rec) {
        rec.status = row.status as RunStatus;
        rec.seconds = typeof row.seconds === "number" ? row.seconds : null;
        rec.rows = typeof row.rows === "number" ? row.rows + 1 : rec.rows + 1;
      }
    }
  }

  /**
   * Start a run of `def` with resolved params; its rows flow to the hub at once. With a queue
   * and workers up, a worker computes it and its rows reach the hub from there.
   */
  start(
    // deno-lint-ignore no-explicit-any
    def: Pipeline<any>,
    params: Record<string, number | string>,
    run: string = newRunId(),
    split: { shards?: number; shard?: { index: number; count: number } } = {},
  ): RunRecord {
    const queue = this.opts.queue;
    if (queue?.available && !split.shard) {
      // a sweep is split over the workers up (or as asked); anything else goes whole
      const whole = !def.shardable || !(def.splits?.(params) ?? true);
      const shards = whole ? 1 : split.shards ?? Math.min(queue.workers, MAX_SHARDS);
      return this.#enqueue(queue, run, def.id, params, Math.max(1, shards));
    }
    const stop = new AbortController();
    const options = {
      params,
      runId: run,
      backend: this.opts.backend,
      logDir: this.opts.logDir,
      signal: stop.signal,
      shard: split.shard,
      threads: this.opts.pool?.size,
    };
    const pool = this.opts.pool;
    if (pool && !split.shard && sourceOf(def)) {
      const queued = pool.full; // asked before the run takes a worker
      let rec: RunRecord | undefined = undefined;
      const started = () => {
        if (rec?.status === "queued") rec.status = "running";
      };
      rec = this.#attach(
        run,
        def.id,
        params,
        "live",
        def.streams,
        pool.run(def, options, started),
        stop,
      );
      if (queued && rec.status === "running") rec.status = "queued";
      return rec;
    }
    return this.#attach(run, def.id, params, "live", def.streams, runPipeline(def, options), stop);
  }

  #enqueue(
    queue: RunSink,
    run: string,
    pipeline: string,
    params: Record<string, number | string>,
    shards: number,
  ): RunRecord {
    const rec = running(run, pipeline, params, "live", { on_worker: true });
    this.#records.set(run, rec);
    queue.enqueue({ run, pipeline, params }, shards).catch((e) =>
      this.interrupt(run, `could not queue the run for a worker: ${(e as Error).message}`, "failed")
    );
    return rec;
  }

  /**
   * End a run computed elsewhere that will not finish (its worker was killed): marked
   * `interrupted` here, and on the hub an error row and a done row after the last row seen,
   * so every viewer sees it end and why.
   */
  interrupt(
    run: string,
    reason: string,
    status: "interrupted" | "failed" | "stopped" = "interrupted",
  ): void {
    const rec = this.#records.get(run);
    if (!rec || rec.status !== "running" || this.#here.has(run)) return;
    rec.status = status;
    const seq = (this.#lastSeq.get(run) ?? -1) + 1;
    const row = (stream: string, n: number, fields: Record<string, unknown>) =>
      ({ run, pipeline: rec.pipeline, stream, seq: n, ...fields }) as unknown as Row;
    this.hub.publish({
      run,
      stream: "error",
      rows: [row("error", seq, { message: `run interrupted: ${reason}`, interrupted: true })],
    });
    this.hub.publish({
      run,
      stream: "done",
      rows: [row("done", seq + 1, { status, seconds: null, rows: seq + 1 })],
    });
  }

  /** Drop a finished run's record (a worker, between shards of one run). */
  forget(run: string): void {
    this.#records.delete(run);
    this.#here.delete(run);
  }

  /** Resolves when a run computed here ends (a worker waits on this for its job). */
  finished(run: string): Promise<RunRecord> {
    const rec = this.#records.get(run);
    if (rec && rec.status !== "running" && rec.status !== "queued") return Promise.resolve(rec);
    return new Promise((resolve) => this.#finished.set(run, resolve));
  }

  /** Feed a recorded run (its rows, envelope included) to the hub as if live. */
  replay(
    run: string,
    pipeline: string,
    params: Record<string, number | string>,
    streams: Readonly<Record<string, StreamSpec>>,
    rows$: Observable<Row>,
    replayOf?: string,
  ): RunRecord {
    return this.#attach(
      run,
      pipeline,
      params,
      "replay",
      streams,
      rows$,
      new AbortController(),
      replayOf,
    );
  }

  /**
   * Play the log of `source` again as a new run: `speed` × its original average
   * pace (rows / done.seconds; rows carry no timestamps), or `rate` rows/s.
   */
  async replayLog(
    source: string,
    // deno-lint-ignore no-explicit-any
    pipelines: readonly Pipeline<any>[],
    pace: { speed?: number; rate?: number },
  ): Promise<RunRecord | undefined> {
    const rows = await this.readLog(source);
    if (!rows?.length) return undefined;
    const run = newRunId();
    const done = rows.find((r) => r.stream === "done");
    const rate = pace.rate ??
      (typeof done?.seconds === "number" && done.seconds > 0
        ? (rows.length / done.seconds) * (pace.speed ?? 1)
        : DEFAULT_RATE * (pace.speed ?? 1));
    const def = pipelines.find((p) => p.id === rows[0].pipeline);
    const renamed = rows.map((r) => Object.freeze({ ...r, run }) as Row);
    return this.replay(
      run,
      rows[0].pipeline,
      paramsOf(rows, def),
      def?.streams ?? {},
      paced(renamed, Math.min(rate, 1e6)),
      // a replay of a replay plays the same recording
      this.#records.get(source)?.replay_of ?? source,
    );
  }

  /**
   * Rows posted for run `run` (created on first post, as pipeline `pipeline`):
   * stamped with the envelope, logged, and shown like a live run's. A new
   * stream name brings a new `meta` row listing the streams, so views learn it.
   * A `done` row ends the run. Throws IngestConflict for a run that is not an
   * open ingested run.
   */
  ingest(run: string, pipeline: string, rows: readonly IngestRow[]): RunRecord {
    let rec = this.#records.get(run);
    let open = this.#ingest.get(run);
    if (rec && !open) {
      throw new IngestConflict(
        rec.source === "ingest"
          ? `run ${run} has ended (its done row was posted)`
          : `run ${run} is a ${rec.source} run; post to a new run id instead`,
      );
    }
    if (!rec || !open) {
      const feed = new Subject<Row>();
      open = {
        feed,
        log: this.opts.logDir ? new RunLog(this.opts.logDir, run) : null,
        seq: 0,
        streams: new Set(),
      };
      this.#ingest.set(run, open);
      rec = this.#attach(run, pipeline, {}, "ingest", {}, feed, new AbortController());
    }
    const t = open;
    const emit = (stream: string, fields: Fields) => {
      const row = Object.freeze({ run, pipeline: rec!.pipeline, stream, seq: t.seq++, ...fields });
      t.log?.append(row);
      t.feed.next(row as Row);
    };
    for (const { stream, fields } of rows) {
      if (stream === "done") {
        emit("done", { status: "ok", ...fields, rows: t.seq });
        break;
      }
      if (!t.streams.has(stream)) {
        t.streams.add(stream);
        emit("meta", { source: "ingest", streams: [...t.streams].join(",") });
      }
      emit(stream, fields);
    }
    if (rec.status !== "running") {
      t.log?.close();
      t.feed.complete();
      this.#ingest.delete(run);
    }
    return rec;
  }

  /** List the logs an earlier server left in the log directory (their head and tail only). */
  async loadRecorded(onSkip?: (file: string, why: string) => void): Promise<number> {
    const dir = this.opts.logDir;
    if (!dir) return 0;
    let n = 0;
    try {
      for await (const e of Deno.readDir(dir)) {
        const run = e.name.replace(/\.ndjson$/, "");
        if (!e.isFile || run === e.name || !RUN_ID_PATTERN.test(run) || this.#records.has(run)) {
          continue;
        }
        // one unreadable or empty log is skipped, and said, not the end of start-up
        let rec: RunRecord | undefined;
        try {
          rec = await summarizeLog(join(dir, e.name), run);
        } catch (err) {
          onSkip?.(e.name, err instanceof Error ? err.message : String(err));
          continue;
        }
        if (rec) {
          this.#records.set(run, rec);
          n++;
        } else onSkip?.(e.name, "no meta row in its first 64 KiB");
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return n;
  }

  /**
   * A run's full rows: from its log, or — for a replay — from the log it plays,
   * renamed to the replay's id. Undefined when there is no such log.
   */
  async readLog(run: string): Promise<Row[] | undefined> {
    if (!RUN_ID_PATTERN.test(run) || !this.opts.logDir) return undefined;
    const rec = this.#records.get(run);
    const file = rec?.replay_of ?? run;
    try {
      const rows = parseRows(await Deno.readTextFile(join(this.opts.logDir, `${file}.ndjson`)));
      return file === run ? rows : rows.map((r) => Object.freeze({ ...r, run }) as Row);
    } catch {
      return undefined;
    }
  }

  /**
   * Stop a run. One computed elsewhere (a worker, another replica on the hub) is asked to stop
   * through the queue; `local` (a stop request that came from the hub) acts only on this
   * server's own runs, so requests are never passed on twice.
   */
  stop(run: string, local = false): RunRecord | undefined {
    const rec = this.#records.get(run);
    if (rec?.status !== "running" && rec?.status !== "queued") return rec;
    if (this.#here.has(run)) this.#stops.get(run)?.abort();
    else if (!local) this.opts.queue?.stop(run);
    return rec;
  }

  get(run: string): RunRecord | undefined {
    return this.#records.get(run);
  }

  list(): RunRecord[] {
    return [...this.#records.values()].sort((a, b) => (a.run < b.run ? -1 : 1));
  }

  /** Stop every run (server shutdown). */
  stopAll(): void {
    for (const c of this.#stops.values()) c.abort();
    this.opts.pool?.close();
    for (const [run, t] of this.#ingest) {
      t.log?.close();
      t.feed.complete();
      this.#ingest.delete(run);
    }
  }

  #attach(
    run: string,
    pipeline: string,
    params: Record<string, number | string>,
    source: RunRecord["source"],
    streams: Readonly<Record<string, StreamSpec>>,
    rows$: Observable<Row>,
    stop: AbortController,
    replayOf?: string,
  ): RunRecord {
    const rec = running(run, pipeline, params, source, replayOf ? { replay_of: replayOf } : {});
    this.#records.set(run, rec);
    this.#here.add(run);
    this.#stops.set(run, stop);
    const sub = rows$.pipe(
      tap((row) => {
        rec.rows++;
        if (row.stream === "done" || row.stream === SHARD_STREAM) {
          rec.status = row.status as RunStatus;
          rec.seconds = typeof row.seconds === "number" ? row.seconds : null;
        }
      }),
      decimateSeries(streams),
      batchByStream(this.opts.batchMs ?? 25),
    ).subscribe({
      next: (batch) => this.hub.publish(batch),
      complete: () => {
        this.#stops.delete(run);
        this.#finished.get(run)?.(rec);
        this.#finished.delete(run);
      },
    });
    stop.signal.addEventListener("abort", () => {
      // A replay has no runtime to write its done row: stopping it ends the feed.
      if (source === "replay") {
        sub.unsubscribe();
        this.#stops.delete(run);
        if (rec.status === "running") rec.status = "stopped";
      }
    });
    return rec;
  }
}

/** Posting to a run that is not an open ingested run. */
export class IngestConflict extends Error {}

/** The pipeline's params as the meta row recorded them (seed included). */
// deno-lint-ignore no-explicit-any
export function paramsOf(rows: readonly Row[], def: Pipeline<any> | undefined) {
  const meta = rows.find((r) => r.stream === "meta");
  const params: Record<string, number | string> = {};
  if (meta && def) {
    for (const k of [...Object.keys(def.params), "seed"]) {
      const v = meta[k];
      if (typeof v === "number" || typeof v === "string") params[k] = v;
    }
  }
  return params;
}

/** Meta fields that are not params: the envelope and what the runtime adds. */
const META_ONLY = new Set([
  "run",
  "pipeline",
  "stream",
  "seq",
  "title",
  "cite",
  "versions",
  "backend",
  "adapter",
  "fallback_adapter",
  "compute",
  "source",
  "streams",
]);

/** A new run's record, running from now. */
function running(
  run: string,
  pipeline: string,
  params: Record<string, number | string>,
  source: RunRecord["source"],
  extra: Pick<RunRecord, "on_worker" | "replay_of"> = {},
): RunRecord {
  return {
    run,
    pipeline,
    params,
    started: new Date().toISOString(),
    source,
    status: "running",
    seconds: null,
    rows: 0,
    ...extra,
  };
}

/** A meta row's params: its fields less the envelope and what the runtime adds. */
function metaParams(meta: Row): Record<string, number | string> {
  const params: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(meta)) {
    if (META_ONLY.has(k)) continue;
    if (typeof v === "number" || typeof v === "string") params[k] = v;
  }
  return params;
}

/** A run's start time from its id (20261202T052733186-…), else the epoch. */
function startedOf(run: string): string {
  const stamp = run.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)/);
  return stamp
    ? `${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`
    : new Date(0).toISOString();
}

/**
 * A recorded run's record from its log's first and last lines (a log can be
 * large: only its ends are read). No `done` row: the server died mid-run.
 */
async function summarizeLog(path: string, run: string): Promise<RunRecord | undefined> {
  const file = await Deno.open(path, { read: true });
  try {
    const size = (await file.stat()).size;
    const readAt = async (offset: number, length: number) => {
      const buf = new Uint8Array(length);
      await file.seek(offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < length) {
        const n = await file.read(buf.subarray(got));
        if (n === null) break;
        got += n;
      }
      return new TextDecoder().decode(buf.subarray(0, got));
    };
    // parseRows skips the line cut off at either end of a slice
    const head = parseRows(await readAt(0, Math.min(size, 64 * 1024)));
    const meta = head.find((r) => r.stream === "meta");
    if (!meta) return undefined;
    const tail = parseRows(await readAt(Math.max(0, size - 8 * 1024), Math.min(size, 8 * 1024)));
    const done = tail.findLast((r) => r.stream === "done");
    return {
      run,
      pipeline: meta.pipeline,
      params: metaParams(meta),
      started: startedOf(run),
      source: "recorded",
      status: done ? (done.status as RunStatus) : "interrupted",
      seconds: typeof done?.seconds === "number" ? done.seconds : null,
      rows: typeof done?.rows === "number" ? done.rows + 1 : tail.at(-1)?.seq ?? 0,
    };
  } finally {
    file.close();
  }
}
