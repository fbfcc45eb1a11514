/**
 * The HTTP contract of DESIGN.md, on Hono: the dashboard, pipeline
 * definitions, starting and stopping runs, a run's rows as NDJSON, and one
 * SSE connection that carries every run. Bad requests get a 4xx with a JSON
 * `{error, param?}` that names what was wrong; nothing a client sends can
 * crash the server. The routes are composed by concern (src/server/routes/: runs, ingested
 * runs, the talk, the event stream, pages), sharing http.ts's helpers.
 *
 * @module
 */
import { Hono } from "hono";
import type { Pipeline } from "../runtime/pipeline.ts";
import type { HubLike } from "./hub.ts";
import type { Runs } from "./runs.ts";
import type { TalkState } from "./talk_state.ts";
import { bad, presenterAuth } from "./http.ts";
import { metaRoutes, pageRoutes } from "./routes/pages.ts";
import { runRoutes } from "./routes/runs.ts";
import { ingestRoutes } from "./routes/ingest.ts";
import { talkRoutes } from "./routes/talk.ts";
import { eventRoutes } from "./routes/events.ts";

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

export function createApp(opts: AppOptions): Hono {
  const auth = presenterAuth(opts.token);
  const app = new Hono();
  app.onError((err, c) => {
    console.error(`${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => bad(c, 404, `no route ${c.req.method} ${c.req.path}`));
  app.route("/", metaRoutes(opts, auth));
  app.route("/", runRoutes(opts, auth));
  app.route("/", ingestRoutes(opts, auth));
  app.route("/", talkRoutes(opts, auth));
  app.route("/", eventRoutes(opts));
  app.route("/", pageRoutes()); // last: it answers any path
  return app;
}
