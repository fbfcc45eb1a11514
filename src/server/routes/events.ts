/**
 * The one SSE connection that carries every run (`GET /api/events`), filtered by run and
 * stream, resumable from `Last-Event-ID`, with a heartbeat; a viewer that falls behind is
 * dropped and resumes (client_queue.ts).
 *
 * @module
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { ClientQueue } from "../client_queue.ts";
import type { Filter } from "../hub.ts";
import { csv } from "../http.ts";
import type { AppOptions } from "../app.ts";

export function eventRoutes(opts: AppOptions): Hono {
  const { hub } = opts;
  const app = new Hono();
  app.get("/api/events", (c) => {
    const filter: Filter = { runs: csv(c.req.query("run")), streams: csv(c.req.query("stream")) };
    const rawLast = c.req.header("last-event-id") ?? c.req.query("lastEventId");
    const lastId = rawLast !== undefined ? hub.parseId(rawLast) : null;
    c.header("X-Accel-Buffering", "no"); // nginx and friends: do not buffer the stream
    c.header("Cache-Control", "no-cache, no-transform");
    return streamSSE(c, async (stream) => {
      const queue = new ClientQueue(opts.maxBacklogRows);
      stream.onAbort(() => queue.close());
      const unsubscribe = hub.subscribe(filter, lastId, (m) => queue.push(m));
      const beat = setInterval(() => queue.heartbeat(), opts.heartbeatMs ?? 15_000);
      try {
        await stream.write(": statmech-live\n\n"); // headers and a first byte now, not at the first row
        for (;;) {
          const item = await queue.next();
          if (item === null || stream.aborted) break;
          if (item === "heartbeat") await stream.write(": heartbeat\n\n");
          else await stream.writeSSE({ id: String(item.id), event: item.stream, data: item.data });
        }
      } finally {
        clearInterval(beat);
        unsubscribe();
      }
    });
  });

  return app;
}
