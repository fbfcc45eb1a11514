/**
 * The HTTP contract of DESIGN.md, on Hono: the dashboard, pipeline
 * definitions, starting and stopping runs, a run's rows as NDJSON, and one
 * SSE connection that carries every run. Bad requests get a 4xx with a JSON
 * `{error, param?}` that names what was wrong; nothing a client sends can
 * crash the server.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { join } from "node:path";
import { ParamError } from "../params/schema.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { RUN_ID_PATTERN } from "../runtime/run_id.ts";
import { resolveRunParams } from "../runtime/run_params.ts";
import { asset } from "./assets.ts";
import { ClientQueue } from "./client_queue.ts";
import { describePipeline } from "./describe.ts";
import type { Filter, Hub } from "./hub.ts";
import type { Runs } from "./runs.ts";

export interface AppOptions {
  readonly hub: Hub;
  readonly runs: Runs;
  // deno-lint-ignore no-explicit-any
  readonly pipelines: () => readonly Pipeline<any>[];
  /** When set, starting and stopping runs needs it (the presenter's token). */
  readonly token: string | null;
  readonly logDir: string | null;
  /** SSE heartbeat comment interval; DESIGN asks for at least every 15 s. */
  readonly heartbeatMs?: number;
  /** Rows a viewer may have waiting before it is dropped (it then resumes). */
  readonly maxBacklogRows?: number;
}

const csv = (
  s: string | undefined,
) => (s ? new Set(s.split(",").map((x) => x.trim()).filter(Boolean)) : undefined);

export function createApp(opts: AppOptions): Hono {
  const { hub, runs } = opts;
  const app = new Hono();
  const bad = (c: Context, status: 400 | 401 | 403 | 404 | 413, error: string, param?: string) =>
    c.json(param ? { error, param } : { error }, status);

  const presenter = async (c: Context, next: () => Promise<void>) => {
    if (!opts.token) return await next();
    const given = c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? c.req.query("token");
    if (!given) {
      return bad(
        c,
        401,
        "this server needs the presenter token to start or stop runs (Authorization: Bearer <token>)",
      );
    }
    if (given !== opts.token) return bad(c, 403, "wrong presenter token");
    await next();
  };

  app.onError((err, c) => {
    console.error(`${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => bad(c, 404, `no route ${c.req.method} ${c.req.path}`));

  app.get("/api/pipelines", (c) => c.json({ pipelines: opts.pipelines().map(describePipeline) }));

  app.post(
    "/api/runs",
    presenter,
    bodyLimit({ maxSize: 64 * 1024, onError: (c) => bad(c, 413, "request body over 64 KiB") }),
    async (c) => {
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return bad(c, 400, 'body must be JSON: {"pipeline": "<id>", "params": {…}}');
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        return bad(c, 400, 'body must be a JSON object: {"pipeline": "<id>", "params": {…}}');
      }
      const { pipeline, params = {} } = body as { pipeline?: unknown; params?: unknown };
      const ids = opts.pipelines().map((p) => p.id);
      const def = opts.pipelines().find((p) => p.id === pipeline);
      if (!def) {
        return bad(
          c,
          400,
          `unknown pipeline ${JSON.stringify(pipeline)}; available: ${ids.join(", ")}`,
          "pipeline",
        );
      }
      if (typeof params !== "object" || params === null || Array.isArray(params)) {
        return bad(c, 400, "params must be a JSON object of param values", "params");
      }
      try {
        const rec = runs.start(def, resolveRunParams(def, params as Record<string, unknown>));
        return c.json({ run: rec.run }, 201);
      } catch (e) {
        if (e instanceof ParamError) return bad(c, 400, e.message, e.param);
        throw e;
      }
    },
  );

  app.get("/api/runs", (c) => c.json({ runs: runs.list() }));

  app.get("/api/runs/:run", (c) => {
    const rec = runs.get(c.req.param("run"));
    return rec ? c.json(rec) : bad(c, 404, `no run ${c.req.param("run")}`);
  });

  app.delete("/api/runs/:run", presenter, (c) => {
    const run = c.req.param("run") ?? "";
    const rec = runs.stop(run);
    return rec ? c.json({ run: rec.run, status: rec.status }) : bad(c, 404, `no run ${run}`);
  });

  app.get("/api/runs/:run/events.ndjson", async (c) => {
    const run = c.req.param("run");
    if (!RUN_ID_PATTERN.test(run) || !opts.logDir) return bad(c, 404, `no log for run ${run}`);
    try {
      const file = await Deno.open(join(opts.logDir, `${run}.ndjson`), { read: true });
      return c.body(file.readable, 200, { "content-type": "application/x-ndjson" });
    } catch {
      return bad(c, 404, `no log for run ${run}`);
    }
  });

  app.get("/api/events", (c) => {
    const filter: Filter = { runs: csv(c.req.query("run")), streams: csv(c.req.query("stream")) };
    const rawLast = c.req.header("last-event-id") ?? c.req.query("lastEventId");
    const lastId = rawLast !== undefined && /^\d+$/.test(rawLast) ? Number(rawLast) : null;
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

  app.get("*", async (c) => {
    const file = await asset(c.req.path);
    if (!file) return bad(c, 404, `no such file ${c.req.path}`);
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200, {
      "content-type": file.type,
      "cache-control": "no-cache",
    });
  });

  return app;
}
