/**
 * Runs on many workers (issue #23): a BullMQ queue on the hub's Redis. A server with a Redis
 * hub enqueues a run (its id, pipeline and params) instead of computing it when workers are
 * up (or always, `watch --workers always`); a worker (`deno task worker`) takes it, computes
 * it, writes its NDJSON log and publishes its rows to the hub's stream, where every replica's
 * viewers get them, exactly as if the run were local.
 *
 * A worker killed mid-run stops renewing its job's lock; the server's stalled-job checker
 * finds the job within a few lock periods and fails it (no retry: a run restarted from step 0
 * under the same id would repeat rows the viewers already have), and the server ends the run
 * on the hub as `interrupted`, with an error row saying why. Nothing is lost silently.
 *
 * @module
 */
import { FlowProducer, Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Row } from "../runtime/run.ts";

export const RUN_QUEUE = "statmech-runs";
/**
 * The name workers give their Redis connections: replicas count workers by it. (A replica's
 * own stalled-job checker is a BullMQ Worker too, and must not be counted, by itself or by the
 * other replicas: counting it sent runs to a queue no worker was taking from.)
 */
export const WORKER_NAME = "statmech-worker";
/** the Redis channel on which a run's id asks whoever computes it to stop */
export const STOP_CHANNEL = "statmech:stop";
/**
 * How often the server looks for jobs whose worker stopped renewing its lock (ms). Workers
 * must check as often: a check sets a key that holds every checker off for its interval
 * (BullMQ's default 30 s would delay finding a killed worker's run by as much).
 */
export const STALLED_CHECK_MS = 1_000;

export interface RunJob {
  readonly run: string;
  readonly pipeline: string;
  readonly params: Readonly<Record<string, number | string>>;
  /** one shard of a split sweep */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** What a worker returns for a job: a shard's status and its rows (the merge adds them up). */
export interface ShardResult {
  readonly status: string;
  readonly rows: number;
  readonly index: number;
  readonly count: number;
}

/** A job id (the run's, or a shard's `<run>.s<k>`) → the run it belongs to. */
export const runOfJob = (jobId: string) => jobId.replace(/\.s\d+$/, "");

/** ioredis options for BullMQ from a redis:// URL (BullMQ needs maxRetriesPerRequest null). */
export function connection(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password || undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
    tls: u.protocol === "rediss:" ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

export type WorkerMode = "auto" | "always";

/** The server's side of the queue. */
export class RunQueue {
  #workers = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    readonly mode: WorkerMode,
    readonly queue: Queue,
    readonly events: QueueEvents,
    readonly checker: Worker,
    readonly flows: FlowProducer,
    readonly stops: Redis,
    readonly pub: Redis,
    readonly stoppedWaiting: (run: string) => void,
  ) {}

  /**
   * `onInterrupted(run, reason)` is called for a job that failed: its worker was killed (or
   * threw outside the run, which the run's own error rows do not cover).
   */
  static async connect(
    url: string,
    mode: WorkerMode,
    onInterrupted: (run: string, reason: string, status?: "stopped") => void,
    onStop: (run: string) => void = () => {},
  ): Promise<RunQueue> {
    const c = connection(url);
    const queue = new Queue(RUN_QUEUE, { connection: c });
    const events = new QueueEvents(RUN_QUEUE, { connection: c });
    // a worker that takes no jobs: only its stalled-job checker runs, so a killed worker's
    // run is found even when no other worker is up to find it
    const checker = new Worker(RUN_QUEUE, null, {
      connection: c,
      autorun: false,
      stalledInterval: STALLED_CHECK_MS,
      maxStalledCount: 0,
    });
    events.on("failed", ({ jobId, failedReason }) => onInterrupted(runOfJob(jobId), failedReason));
    // A stalled job (its worker's lock lapsed) is put back in the wait list with a deferred
    // failure, and would be failed only when a worker next takes it: end the run now, and take
    // the job out so that no worker starts it again (and a split sweep's merge with it).
    events.on("stalled", ({ jobId }) => {
      const run = runOfJob(jobId);
      onInterrupted(run, "its worker stopped renewing the job's lock (killed?)");
      queue.remove(jobId).catch(() => {});
      if (run !== jobId) queue.remove(run, { removeChildren: true }).catch(() => {});
    });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), checker.waitUntilReady()]);
    await checker.startStalledCheckTimer();
    // stop requests for runs this server computes (started here, stopped on another replica)
    const stops = new Redis(url, { maxRetriesPerRequest: null });
    await stops.subscribe(STOP_CHANNEL);
    stops.on("message", (_channel: string, run: string) => onStop(run));
    const q = new RunQueue(
      mode,
      queue,
      events,
      checker,
      new FlowProducer({ connection: c }),
      stops,
      new Redis(url, { maxRetriesPerRequest: null }), // a subscribed connection cannot publish
      (run) => onInterrupted(run, "stopped before a worker took it", "stopped"),
    );
    await q.#count();
    q.#timer = setInterval(() => q.#count().catch(() => {}), 2_000);
    return q;
  }

  /** Workers up now (BullMQ names their Redis connections), refreshed every 2 s. */
  get workers(): number {
    return this.#workers;
  }

  /** Whether a run should go to the queue now. */
  get available(): boolean {
    return this.mode === "always" || this.#workers > 0;
  }

  async enqueue(job: RunJob, shards = 1): Promise<void> {
    // the run id is the job id: the failed event names the run; attempts 1: never re-run
    const opts = { attempts: 1, removeOnComplete: 1000 };
    if (shards <= 1) {
      await this.queue.add("run", job, { ...opts, jobId: job.run });
      return;
    }
    // a split sweep: one job per shard, and a merge that BullMQ starts once all are done
    await this.flows.add({
      name: "merge",
      queueName: RUN_QUEUE,
      data: job,
      opts: { ...opts, jobId: job.run },
      children: Array.from({ length: shards }, (_, index) => ({
        name: "run",
        queueName: RUN_QUEUE,
        data: { ...job, shard: { index, count: shards } },
        opts: { ...opts, jobId: `${job.run}.s${index}`, failParentOnFailure: true },
      })),
    });
  }

  /**
   * Stop `run` wherever it is computed: a job still waiting is taken out of the queue (and the
   * run ended `stopped` here); one being computed is asked to stop on the stop channel, and
   * its worker (or replica) ends it with its own done row.
   */
  stop(run: string): void {
    (async () => {
      const job = await this.queue.getJob(run);
      if (job && (await job.getState()) === "waiting" && !job.data.shard) {
        await job.remove();
        this.stoppedWaiting(run);
        return;
      }
      await this.pub.publish(STOP_CHANNEL, run);
    })().catch(() => {});
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([
      this.checker.close(),
      this.events.close(),
      this.queue.close(),
      this.flows.close(),
      this.stops.quit(),
      this.pub.quit(),
    ]);
  }

  async #count(): Promise<void> {
    const all = await this.queue.getWorkers();
    this.#workers = all.filter((w) => String(w.rawname ?? "").endsWith(`:w:${WORKER_NAME}`)).length;
  }
}

/**
 * The merge of a split sweep: the run's one `done` row, after every shard's last row — seq past
 * the largest shard's, status ok only if every shard's was, rows the shards' rows together.
 */
export function mergeShards(
  hub: { publish(b: { run: string; stream: string; rows: Row[] }): void },
  run: string,
  pipeline: string,
  shards: readonly ShardResult[],
  seconds: number,
): void {
  // a shard of n rows numbered its last seq (n − 1)·count + index (src/runtime/run.ts)
  const last = Math.max(...shards.map((r) => (r.rows - 1) * r.count + r.index));
  const status = shards.every((r) => r.status === "ok")
    ? "ok"
    : shards.some((r) => r.status === "failed")
    ? "failed"
    : "stopped";
  const rows = shards.reduce((n, r) => n + r.rows, 0);
  const done = {
    run,
    pipeline,
    stream: "done",
    seq: last + 1,
    status,
    seconds,
    rows,
  } as unknown as Row;
  hub.publish({ run, stream: "done", rows: [done] });
}
