/**
 * What a page needs besides runs: whether it may control them, the pipelines' definitions,
 * the server's health, and the dashboard's files (last: any other path).
 *
 * @module
 */
import { Hono } from "hono";
import { asset } from "../assets.ts";
import { describePipeline } from "../describe.ts";
import { bad, type PresenterAuth } from "../http.ts";
import type { AppOptions } from "../app.ts";

/** The API's descriptions of the server and its pipelines. */
export function metaRoutes(opts: AppOptions, { isPresenter }: PresenterAuth): Hono {
  const { hub, runs } = opts;
  const app = new Hono();
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

  return app;
}

/** The dashboard's files: every path no route above took. */
export function pageRoutes(): Hono {
  const app = new Hono();
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
