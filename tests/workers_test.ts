/**
 * Runs on workers (issue #23): a replica on a Redis hub sends runs to a BullMQ queue when a
 * worker is up; the worker computes the run, logs it and publishes its rows, which the
 * replica's viewers get; a worker killed mid-run ends its run `interrupted` (an error row and a
 * done row on the hub), never silently lost. Ignored where redis-server is missing.
 */
import { assert, assertEquals } from "./assert.ts";
import { redisTest, replicaBase, replicaProcess, type TestRedis } from "./helpers/redis.ts";
import { serveProcess } from "./helpers/serve_process.ts";
import { SseReader } from "./helpers/sse.ts";
import { firstValueFrom, toArray } from "rxjs";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import phaseDiagram from "../pipelines/phase_diagram.ts";

const test = redisTest;
const replica = (r: TestRedis, dir: string) => replicaProcess(r, dir, "replica");
const worker = (r: TestRedis, dir: string) =>
  serveProcess(
    ["worker", "--hub", r.url, "--log-dir", `${dir}/worker`, "--lock-seconds", "1"],
    /statmech-live worker on/,
  );
const base = replicaBase;

async function startRun(url: string, pipeline: string, params: Record<string, unknown>) {
  const res = await fetch(`${url}api/runs`, {
    method: "POST",
    headers: { authorization: "Bearer t", "content-type": "application/json" },
    body: JSON.stringify({ pipeline, params }),
  });
  assertEquals(res.status, 201);
  return (await res.json()).run as string;
}

/** wait until the replica counts a worker (it counts every 2 s) */
async function workerSeen(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await (await fetch(`${url}api/health`)).json()).workers >= 1) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error("the replica never saw the worker");
}

/** poll the replica's runs list until `run` has `status` (at most 5 s); its record */
async function runStatus(url: string, run: string, status: string) {
  let info: { status: string } | undefined;
  for (let k = 0; k < 100 && info?.status !== status; k++) {
    info = await runInfo(url, run);
    if (info?.status !== status) await new Promise((res) => setTimeout(res, 50));
  }
  return info;
}

/** a great-circle run (≈ 10 s) queued to the worker, and an SSE reader once it has begun there */
async function runOnWorker(url: string) {
  await workerSeen(url);
  const run = await startRun(url, "great-circle", {});
  const sse = new SseReader((await fetch(`${url}api/events?run=${run}`)).body!);
  await sse.until((t) => (t.match(/^event: /gm) ?? []).length >= 3); // begun on the worker
  return { run, sse };
}

async function runInfo(url: string, run: string) {
  return (await (await fetch(`${url}api/runs`)).json()).runs.find((x: { run: string }) =>
    x.run === run
  );
}

test(
  "workers: a run goes to the worker that is up; its rows reach the replica's viewers",
  async (r, dir) => {
    const w = await worker(r, dir);
    const s = await replica(r, dir);
    try {
      await workerSeen(base(s));
      const run = await startRun(base(s), "phase-diagram", { grid: 40 });
      assertEquals((await runInfo(base(s), run))?.on_worker, true);
      const sse = new SseReader(
        (await fetch(`${base(s)}api/events?run=${run}&stream=cell,done`)).body!,
      );
      await sse.until((t) => t.includes("event: done"));
      await sse.cancel();
      const cells = sse.rowsOf("cell");
      assertEquals(cells.length, 40 * 40, "every cell reached the replica's viewer");
      assertEquals((await runStatus(base(s), run, "ok"))?.status, "ok");
      // the worker, not the replica, computed and logged it
      const log = (await Deno.readTextFile(`${dir}/worker/${run}.ndjson`)).trim().split("\n");
      assertEquals(log.filter((l) => l.includes('"stream":"cell"')).length, 40 * 40);
      assert(log.at(-1)!.includes('"stream":"done"'));
      const onReplica = await Deno.stat(`${dir}/replica/${run}.ndjson`).then(
        () => true,
        () => false,
      );
      assert(!onReplica, "no log on the replica");
    } finally {
      await s.stop();
      await w.stop();
    }
  },
);

test(
  "workers: a worker killed mid-run ends its run interrupted, with an error row, on the hub",
  async (r, dir) => {
    const w = await worker(r, dir);
    const s = await replica(r, dir);
    try {
      const { run, sse } = await runOnWorker(base(s));
      await w.stop("SIGKILL");
      await sse.until((t) => t.includes("event: done"));
      await sse.cancel();
      assert(/event: error\ndata: .*run interrupted/.test(sse.text), sse.text.slice(-600));
      assert(/"status":"interrupted"/.test(sse.text.slice(sse.text.lastIndexOf("event: done"))));
      const info = await runInfo(base(s), run);
      assertEquals(info.status, "interrupted");
    } finally {
      await s.stop();
      await w.stop().catch(() => {});
    }
  },
);

Deno.test("worker: without --hub, or with a bad one, exits 2 with one line", async () => {
  const main = new URL("../main.ts", import.meta.url).pathname;
  for (
    const [args, message] of [
      [[], "worker needs --hub redis://host:port"],
      [["--hub", "redis://127.0.0.1:1"], "--hub redis://127.0.0.1:1: cannot connect"],
      [["--hub", "redis://x", "--concurrency", "0"], "--concurrency must be an integer in [1, 64]"],
    ] as const
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, "worker", ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1", STATMECH_HUB: "" },
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, err);
    assert(err.split("\n")[0].startsWith("error: ") && err.includes(message), err);
  }
});

test(
  "workers: a sweep split over two workers gives the same rows as one run, merged into one",
  async (r, dir) => {
    const w1 = await worker(r, `${dir}/1`);
    const w2 = await worker(r, `${dir}/2`);
    const s = await replica(r, dir);
    try {
      for (let i = 0; i < 100; i++) {
        if ((await (await fetch(`${base(s)}api/health`)).json()).workers >= 2) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const res = await fetch(`${base(s)}api/runs`, {
        method: "POST",
        headers: { authorization: "Bearer t", "content-type": "application/json" },
        body: JSON.stringify({ pipeline: "phase-diagram", params: { grid: 24 }, shards: 2 }),
      });
      assertEquals(res.status, 201);
      const { run } = await res.json();
      const sse = new SseReader((await fetch(`${base(s)}api/events?run=${run}`)).body!);
      await sse.until((t) => /^event: done$/m.test(t));
      await sse.cancel();
      const rows = sse.rows();
      // the same run computed whole, here
      const def = phaseDiagram;
      const whole = await firstValueFrom(
        runPipeline(def, {
          params: resolveRunParams(def, { grid: 24 }),
          runId: "whole",
          backend: "cpu",
          logDir: null,
        }).pipe(toArray()),
      );
      const key = (x: Record<string, unknown>) => {
        const { run: _r, seq: _s, ...rest } = x;
        return JSON.stringify(rest);
      };
      for (const stream of ["cell", "critical-line"]) {
        const a = rows.filter((x) => x.stream === stream).map(key).sort();
        const b = whole.filter((x) => x.stream === stream).map(key).sort();
        assertEquals(a, b, `${stream}: the split run's rows are the whole run's`);
      }
      // one meta, one done after everything, and every seq once
      assertEquals(rows.filter((x) => x.stream === "meta").length, 1);
      const done = rows.filter((x) => x.stream === "done");
      assertEquals(done.length, 1);
      assertEquals(done[0].status, "ok");
      const seqs = rows.map((x) => x.seq as number);
      assertEquals(new Set(seqs).size, seqs.length, "no seq twice");
      assert(seqs.every((q) => q <= (done[0].seq as number)), "done is last");
      assertEquals(rows.filter((x) => x.stream === "shard").length, 2);
    } finally {
      await s.stop();
      await w1.stop();
      await w2.stop();
    }
  },
);

test(
  "workers: DELETE on a replica stops a run on a worker, which ends it stopped",
  async (r, dir) => {
    const w = await worker(r, dir);
    const s = await replica(r, dir);
    try {
      const { run, sse } = await runOnWorker(base(s));
      const del = await fetch(`${base(s)}api/runs/${run}`, {
        method: "DELETE",
        headers: { authorization: "Bearer t" },
      });
      assertEquals(del.status, 200);
      await sse.until((t) => t.includes("event: done"));
      await sse.cancel();
      assert(/"status":"stopped"/.test(sse.text.slice(sse.text.lastIndexOf("event: done"))));
      assertEquals((await runStatus(base(s), run, "stopped"))?.status, "stopped");
    } finally {
      await s.stop();
      await w.stop();
    }
  },
);
