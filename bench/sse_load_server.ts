/**
 * The server half of bench/sse_load.ts: the real app on loopback, fed by a
 * synthetic run of `rate` rows/s whose rows carry their send time. Prints its
 * port, then its RSS once a second, on stdout.
 */
import { Observable } from "rxjs";
import { PIPELINES } from "../pipelines/mod.ts";
import type { Row } from "../src/runtime/run.ts";
import { createApp } from "../src/server/app.ts";
import { Hub } from "../src/server/hub.ts";
import { Runs } from "../src/server/runs.ts";

const rate = Number(Deno.args[0] ?? 1000);
const hub = new Hub();
const runs = new Runs(hub, { backend: "cpu", logDir: null });
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
runs.replay("load", "load", {}, {}, ticks);
setInterval(() => console.log(`rss=${Deno.memoryUsage().rss}`), 1000);
