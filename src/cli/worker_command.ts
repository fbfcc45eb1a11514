/**
 * `deno task worker --hub redis://host:port`: take runs from the server's queue
 * (src/server/run_queue.ts), compute them here, write their NDJSON logs here (`--log-dir`, as
 * `run` does: the machine that computes a run holds its full rows), and publish their rows to
 * the hub's stream for every replica's viewers.
 *
 * @module
 */
import { Worker } from "bullmq";
import { PIPELINES } from "../../pipelines/mod.ts";
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import { resolveRunParams } from "../runtime/run_params.ts";
import { HubUrlError, parseHubUrl } from "../server/hub_url.ts";
import { RedisHub } from "../server/redis_hub.ts";
import {
  connection,
  mergeShards,
  RUN_QUEUE,
  type RunJob,
  type ShardResult,
  STALLED_CHECK_MS,
  STOP_CHANNEL,
  WORKER_NAME,
} from "../server/run_queue.ts";
import { Redis } from "ioredis";
import { Runs } from "../server/runs.ts";
import { flagPairs, UsageError } from "./args.ts";
import { suggestion } from "../params/did_you_mean.ts";

const FLAGS = ["--hub", "--backend", "--log-dir", "--concurrency", "--lock-seconds"];

export async function workerCommand(args: string[]): Promise<number> {
  let hub = Deno.env.get("STATMECH_HUB") || null, backend: BackendChoice = "auto";
  let logDir: string | null = "data/runs", concurrency = 1, lockSeconds = 10;
  for (const [flag, value] of flagPairs(args)) {
    if (!FLAGS.includes(flag)) {
      throw new UsageError(
        `unknown flag ${flag}${suggestion(flag, FLAGS)}; allowed: ${FLAGS.join(", ")}`,
      );
    }
    if (flag === "--hub") hub = value;
    else if (flag === "--backend") {
      if (!(BACKENDS as readonly string[]).includes(value)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
      }
      backend = value as BackendChoice;
    } else if (flag === "--log-dir") logDir = value === "none" ? null : value;
    else if (flag === "--concurrency" || flag === "--lock-seconds") {
      const n = Number(value);
      const max = flag === "--concurrency" ? 64 : 600;
      if (!Number.isInteger(n) || n < 1 || n > max) {
        throw new UsageError(`${flag} must be an integer in [1, ${max}], got "${value}"`);
      }
      if (flag === "--concurrency") concurrency = n;
      else lockSeconds = n;
    }
  }
  if (!hub) throw new UsageError("worker needs --hub redis://host:port (or STATMECH_HUB)");
  let out: RedisHub;
  try {
    parseHubUrl(hub);
    out = await RedisHub.connect(hub, { read: false });
  } catch (e) {
    if (e instanceof HubUrlError) throw new UsageError(e.message);
    throw e;
  }
  const runs = new Runs(out, { backend, logDir });
  // a replica's DELETE /api/runs/<run> reaches the worker (every worker computing a shard of it)
  const stops = new Redis(hub, { maxRetriesPerRequest: null });
  await stops.subscribe(STOP_CHANNEL);
  stops.on("message", (_channel: string, run: string) => runs.stop(run, true));
  const worker = new Worker<RunJob>(
    RUN_QUEUE,
    async (job): Promise<ShardResult> => {
      const { run, pipeline, params, shard } = job.data;
      const def = PIPELINES.find((p) => p.id === pipeline);
      if (!def) throw new Error(`this worker has no pipeline ${pipeline}`);
      if (job.name === "merge") {
        const results = Object.values(await job.getChildrenValues<ShardResult>());
        mergeShards(out, run, pipeline, results, (Date.now() - job.timestamp) / 1000);
        console.error(`worker: ${run} merged from ${results.length} shards`);
        return { status: "ok", rows: 0, index: 0, count: 1 };
      }
      const part = shard ? ` shard ${shard.index + 1} of ${shard.count}` : "";
      console.error(`worker: ${run} (${pipeline})${part} started`);
      runs.start(def, resolveRunParams(def, params), run, { shard });
      const rec = await runs.finished(run);
      console.error(`worker: ${run}${part} ${rec.status} after ${rec.rows} rows`);
      runs.forget(run); // this worker may take another shard of the same run next
      const index = shard?.index ?? 0, count = shard?.count ?? 1;
      return { status: rec.status, rows: rec.rows, index, count };
    },
    {
      connection: connection(hub),
      name: WORKER_NAME, // how replicas count the workers that are up
      concurrency,
      // the lock is renewed every lockDuration/2 while the run computes (runs yield to the
      // event loop every ~15 ms); a killed worker's lock lapses and the server fails the job
      lockDuration: lockSeconds * 1000,
      maxStalledCount: 0,
      stalledInterval: STALLED_CHECK_MS,
    },
  );
  await worker.waitUntilReady();
  console.error(
    `statmech-live worker on ${hub}: ${concurrency} run${
      concurrency > 1 ? "s" : ""
    } at a time, logs in ${logDir ?? "(none)"}, backend ${backend}`,
  );
  const stop = async () => {
    await worker.close();
    await out.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await new Promise(() => {}); // until a signal
  return 0;
}
