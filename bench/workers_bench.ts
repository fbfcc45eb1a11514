/**
 * Issue #23's sweep benchmark: the trainability map of the talk's slide (7 × 5 cells at width
 * 64, 150 steps) computed by one worker, then split over two, on a Redis hub started here;
 * wall time from the request to the run's done row, and whether the two give the same cells.
 * Also two whole runs at once on the two workers: how much each core slows when both are busy
 * (the ceiling on any split's speed-up on this machine).
 *
 *   deno run -A bench/workers_bench.ts
 */
import { RedisHub } from "../src/server/redis_hub.ts";
import { RunQueue } from "../src/server/run_queue.ts";
import { Runs } from "../src/server/runs.ts";
import trainability from "../pipelines/trainability.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const hasRedis = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" })
  .output().then((o) => o.success, () => false);
// (not Deno.exit: `deno task bench` runs every bench file in one process)
if (hasRedis) await main();
else {console.log(
    "workers bench skipped: redis-server is not installed (apt-get install redis-server)",
  );}

async function main() {
  const PARAMS = { sigma_w2_points: 7, depth_points: 5, depth_max: 90, steps: 150, width: 64 };

  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const redis = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `redis://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 300));
  const dir = await Deno.makeTempDir({ prefix: "statmech-workers-bench-" });
  const workers = [0, 1].map((k) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "worker", "--hub", url, "--log-dir", `${dir}/w${k}`],
      stdout: "null",
      stderr: "null",
    }).spawn()
  );
  const hub = await RedisHub.connect(url, { log: () => {} });
  let interrupt = (_run: string, _why: string) => {};
  const queue = await RunQueue.connect(url, "always", (run, why) => interrupt(run, why));
  const runs = new Runs(hub, { backend: "wasm", logDir: null, queue });
  interrupt = (run, why) => runs.interrupt(run, why);
  while (queue.workers < 2) await new Promise((r) => setTimeout(r, 200));

  const cells = new Map<string, string[]>();
  hub.subscribe({ streams: new Set(["cell"]) }, null, (m) => {
    const rows = m.data.split("\n").map((line) => {
      const { run: _r, seq: _s, ...rest } = JSON.parse(line);
      return JSON.stringify(rest);
    });
    cells.set(m.run, [...(cells.get(m.run) ?? []), ...rows]);
  }, true);

  async function time(shards: number[]): Promise<number[]> {
    const params = resolveRunParams(trainability, PARAMS);
    const t0 = performance.now();
    const started = shards.map((n) => runs.start(trainability, params, undefined, { shards: n }));
    const ends = await Promise.all(started.map(async (rec) => {
      while (runs.get(rec.run)!.status === "running") await new Promise((r) => setTimeout(r, 50));
      return (performance.now() - t0) / 1000;
    }));
    return ends.map((s, i) => (console.error(`  ${started[i].run}: ${s.toFixed(1)} s`), s));
  }

  const [one] = await time([1]);
  const [two] = await time([2]);
  const both = await time([1, 1]);
  const runIds = runs.list().map((r) => r.run);
  const same = JSON.stringify([...cells.get(runIds[0])!].sort()) ===
    JSON.stringify([...cells.get(runIds[1])!].sort());
  console.log(
    `trainability map (slide 6: 7 × 5 cells, width 64, 150 steps), Redis hub on loopback`,
  );
  console.log(
    `one worker: ${one.toFixed(1)} s; split over two: ${two.toFixed(1)} s (${
      (two / one).toFixed(2)
    }×); target ≤ 0.6×: ${two <= 0.6 * one ? "met" : "NOT MET"}`,
  );
  console.log(
    `same cells either way: ${same ? "yes" : "NO"} (${cells.get(runIds[0])!.length} cells)`,
  );
  console.log(
    `two whole maps at once, one per worker: ${
      both.map((s) => s.toFixed(1)).join(" and ")
    } s, each ${
      (Math.max(...both) / one).toFixed(2)
    }× one alone: the slowdown of a busy core on this machine`,
  );
  for (const w of workers) w.kill("SIGTERM");
  await Promise.all(workers.map((w) => w.status));
  await queue.close();
  await hub.close();
  redis.kill("SIGTERM");
  await redis.status;
  await Deno.remove(dir, { recursive: true });
}
