/**
 * The server half of bench/sse_load.ts: the real app on loopback, fed by a
 * synthetic run of `rate` rows/s whose rows carry their send time. Prints its
 * port, then its RSS once a second, on stdout.
 *
 *   sse_load_server.ts RATE [redis://…] [publish|serve]
 *
 * With a Redis URL it is one replica on that hub (issue #23): `publish` also feeds the run,
 * `serve` only serves what the hub carries. With `--compute` (issue #28) it also computes
 * `nngp --n-train 5000` and a default `diffusion` in its run pool, as `watch` would.
 */
import { Observable } from "rxjs";
import { PIPELINES } from "../pipelines/mod.ts";
import type { Row } from "../src/runtime/run.ts";
import { createApp } from "../src/server/app.ts";
import { Hub, type HubLike } from "../src/server/hub.ts";
import { RedisHub } from "../src/server/redis_hub.ts";
import { Runs } from "../src/server/runs.ts";
import { RunPool } from "../src/runtime/run_pool.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { CORES } from "../src/runtime/threads.ts";

const compute = Deno.args.includes("--compute");
const args = Deno.args.filter((a) => a !== "--compute");
const rate = Number(args[0] ?? 1000);
const url = args[1];
const publish = !url || args[2] !== "serve";
const hub: HubLike = url ? await RedisHub.connect(url) : new Hub();
const pool = compute ? new RunPool(CORES, "wasm") : undefined;
const runs = new Runs(hub, { backend: "cpu", logDir: null, pool });
if (compute) {
  for (const [id, params] of [["nngp", { n_train: 5000 }], ["diffusion", {}]] as const) {
    const def = PIPELINES.find((p) => p.id === id)!;
    runs.start(def, resolveRunParams(def, params));
  }
}
const app = createApp({ hub, runs, pipelines: () => PIPELINES, token: null, logDir: null });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
console.log(`port=${server.addr.port}`);

const ticks = new Observable<Row>((sub) => {
  let seq = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    // catch up to the rows due by now, so the rate holds even when a timer fires late
    const due = Math.floor(((performance.now() - t0) / 1000) * rate);
    while (seq < due) {
      sub.next(
        Object.freeze({
          run: "load",
          pipeline: "load",
          stream: "tick",
          seq,
          sent_ms: performance.timeOrigin + performance.now(),
        }) as Row,
      );
      seq++;
    }
  }, 5);
  return () => clearInterval(timer);
});
if (publish) runs.replay("load", "load", {}, {}, ticks);
setInterval(() => console.log(`rss=${Deno.memoryUsage().rss}`), 1000);
