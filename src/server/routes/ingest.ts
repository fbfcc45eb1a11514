/**
 * Another tool's run streamed in (`POST /api/runs/:run/rows`, NDJSON): a PyTorch loop, a
 * notebook; the dashboard draws it with generic panels.
 *
 * @module
 */
import { Hono } from "hono";
import { RUN_ID_PATTERN } from "../../runtime/run_id.ts";
import { IngestError, parseIngest } from "../ingest.ts";
import { IngestConflict } from "../runs.ts";
import { bad, INGEST_BODY, limit, type PresenterAuth } from "../http.ts";
import type { AppOptions } from "../app.ts";

/** Names for ingested runs' pipeline: the dashboard draws them with generic panels. */
const SOURCE_NAME = /^[a-z][a-z0-9-]{0,39}$/;

export function ingestRoutes(opts: AppOptions, { presenter }: PresenterAuth): Hono {
  const { runs } = opts;
  const app = new Hono();
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

  return app;
}
