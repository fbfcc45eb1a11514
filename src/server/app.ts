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
import type { Filter, HubLike } from "./hub.ts";
import { toCsv } from "./export.ts";
import { IngestError, parseIngest } from "./ingest.ts";
import { IngestConflict, MAX_SHARDS, type Runs } from "./runs.ts";
import { SlideError, type TalkState } from "./talk_state.ts";
import { tokensEqual } from "./token.ts";

export interface AppOptions {
  readonly hub: HubLike;
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
  /** the talk being given (`watch [talk]`), if any */
  readonly talk?: TalkState | null;
}

/** Control bodies are small JSON; ingested rows come in larger NDJSON batches. */
const CONTROL_BODY = 64 * 1024;
const INGEST_BODY = 1024 * 1024;
/** Names for ingested runs' pipeline: the dashboard draws them with generic panels. */
const SOURCE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const NDJSON = { "content-type": "application/x-ndjson" };

const csv = (
  s: string | undefined,
) => (s ? new Set(s.split(",").map((x) => x.trim()).filter(Boolean)) : undefined);

export function createApp(opts: AppOptions): Hono {
  const { hub, runs } = opts;
  const app = new Hono();
  const bad = (
    c: Context,
    status: 400 | 401 | 403 | 404 | 409 | 413,
    error: string,
    param?: string,
  ) => c.json(param ? { error, param } : { error }, status);
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => bad(c, 413, `request body over ${maxSize / 1024} KiB`),
    });
  /** The body as a JSON object, or a 400 response saying what was expected. */
  const jsonObject = async (c: Context, expected: string) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return bad(c, 400, `body must be JSON: ${expected}`);
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return bad(c, 400, `body must be a JSON object: ${expected}`);
    }
    return body as Record<string, unknown>;
  };

  const givenToken = (c: Context) =>
    c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? c.req.query("token");
  const isPresenter = (c: Context) => {
    const given = givenToken(c);
    return opts.token !== null && given !== undefined && tokensEqual(given, opts.token);
  };
  const presenter = async (c: Context, next: () => Promise<void>) => {
    if (!opts.token) return await next();
    const given = givenToken(c);
    if (!given) {
      return bad(
        c,
        401,
        "this server needs the presenter token to start or stop runs (Authorization: Bearer <token>)",
      );
    }
    if (!tokensEqual(given, opts.token)) return bad(c, 403, "wrong presenter token");
    await next();
  };

  app.onError((err, c) => {
    console.error(`${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => bad(c, 404, `no route ${c.req.method} ${c.req.path}`));

  // Whether this request's token may control runs (the dashboard shows controls if so).
  app.get("/api/control", (c) => c.json({ control: !opts.token || isPresenter(c) }));

  app.get("/api/pipelines", (c) => c.json({ pipelines: opts.pipelines().map(describePipeline) }));
  // the hub's state: on Redis, whether this replica is connected (it reconnects with backoff)
  app.get("/api/health", (c) => {
    const h = hub.health();
    const workers = runs.opts.queue?.workers ?? null;
    return c.json(
      { ok: h.connected, ...h, viewers: hub.subscribers, workers },
      h.connected ? 200 : 503,
    );
  });

  app.post(
    "/api/runs",
    presenter,
    limit(CONTROL_BODY),
    async (c) => {
      const body = await jsonObject(c, '{"pipeline": "<id>", "params": {…}}');
      if (body instanceof Response) return body;
      const { pipeline, params = {}, shards } = body as {
        pipeline?: unknown;
        params?: unknown;
        shards?: unknown;
      };
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
      if (
        shards !== undefined &&
        !(Number.isInteger(shards) && (shards as number) >= 1 && (shards as number) <= MAX_SHARDS)
      ) {
        return bad(
          c,
          400,
          `shards must be an integer in [1, ${MAX_SHARDS}] (the workers to split a sweep over), got ${
            JSON.stringify(shards)
          }`,
          "shards",
        );
      }
      try {
        const rec = runs.start(
          def,
          resolveRunParams(def, params as Record<string, unknown>),
          undefined,
          { shards: shards as number | undefined },
        );
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
    if (runs.get(run)?.replay_of) {
      // a replay's log is the recording it plays, under the replay's id
      const rows = await runs.readLog(run);
      if (!rows) return bad(c, 404, `no log for run ${run}`);
      return c.body(rows.map((r) => JSON.stringify(r) + "\n").join(""), 200, NDJSON);
    }
    try {
      const file = await Deno.open(join(opts.logDir, `${run}.ndjson`), { read: true });
      return c.body(file.readable, 200, NDJSON);
    } catch {
      return bad(c, 404, `no log for run ${run}`);
    }
  });

  app.get("/api/runs/:run/rows.csv", async (c) => {
    const run = c.req.param("run");
    const rows = await runs.readLog(run);
    if (!rows) return bad(c, 404, `no log for run ${run}`);
    const streams = csv(c.req.query("stream"));
    const picked = rows.filter((r) => !streams || streams.has(r.stream));
    return c.body(toCsv(picked), 200, {
      "content-type": "text/csv; charset=utf-8",
      // stream names come from the query: only safe characters reach the header
      "content-disposition": `attachment; filename="${run}${
        streams ? `-${[...streams].join("-").replace(/[^A-Za-z0-9_-]/g, "_")}` : ""
      }.csv"`,
    });
  });

  app.post("/api/runs/:run/replay", presenter, limit(CONTROL_BODY), async (c) => {
    const run = c.req.param("run");
    const text = (await c.req.text()).trim();
    let body: unknown = {};
    try {
      if (text) body = JSON.parse(text);
    } catch {
      return bad(c, 400, 'body must be JSON: {"speed": 4} (or empty for ×1)');
    }
    const speed = (body as { speed?: unknown })?.speed ?? 1;
    if (typeof speed !== "number" || !(speed > 0 && speed <= 1000)) {
      return bad(
        c,
        400,
        `speed must be a number in (0, 1000], got ${JSON.stringify(speed)}`,
        "speed",
      );
    }
    const rec = await runs.replayLog(run, opts.pipelines(), { speed });
    return rec
      ? c.json({ run: rec.run, replay_of: run }, 201)
      : bad(c, 404, `no log for run ${run}`);
  });

  app.post("/api/runs/:run/rows", presenter, limit(INGEST_BODY), async (c) => {
    const run = c.req.param("run");
    if (!RUN_ID_PATTERN.test(run)) {
      return bad(
        c,
        400,
        `run id must be letters, digits, _ . - (1–81, starting with a letter or digit), got ${
          JSON.stringify(run)
        }`,
        "run",
      );
    }
    const pipeline = c.req.query("pipeline") ?? "external";
    if (!SOURCE_NAME.test(pipeline)) {
      return bad(
        c,
        400,
        `pipeline must be a lower-case name like "pytorch-mnist", got ${JSON.stringify(pipeline)}`,
        "pipeline",
      );
    }
    try {
      const rows = parseIngest(await c.req.text());
      const rec = runs.ingest(run, pipeline, rows);
      return c.json({ run: rec.run, rows: rec.rows, status: rec.status }, 202);
    } catch (e) {
      if (e instanceof IngestError) return bad(c, 400, e.message);
      if (e instanceof IngestConflict) return bad(c, 409, e.message, "run");
      throw e;
    }
  });

  // No talk (a replay server) is a normal state, not a missing resource: 204, so a page's
  // console stays clean.
  app.get("/api/talk", (c) => {
    if (!opts.talk) return c.body(null, 204);
    const state = opts.talk.state();
    if (!opts.token || isPresenter(c)) return c.json(state);
    // the speaker's notes go to the presenter's console only, never to a projected page
    const slides = state.talk.slides.map(({ notes: _notes, ...slide }) => slide);
    return c.json({ ...state, talk: { ...state.talk, slides } });
  });

  app.put("/api/talk/slide", presenter, limit(CONTROL_BODY), async (c) => {
    const talk = opts.talk;
    if (!talk) return bad(c, 404, "no talk is being given");
    const body = await jsonObject(c, '{"slide": <0-based index>, "params": {…}?}');
    if (body instanceof Response) return body;
    const { slide, params } = body;
    if (
      params !== undefined &&
      (typeof params !== "object" || params === null || Array.isArray(params))
    ) {
      return bad(c, 400, "params must be a JSON object of param values", "params");
    }
    try {
      await talk.go(slide as number, params as Record<string, unknown> | undefined);
      return c.json(talk.state());
    } catch (e) {
      if (e instanceof SlideError) return bad(c, 400, e.message, "slide");
      if (e instanceof ParamError) return bad(c, 400, e.message, e.param);
      throw e;
    }
  });

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
