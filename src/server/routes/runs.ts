/**
 * Runs (DESIGN.md's HTTP contract): start one (`POST /api/runs`), list them, one's record,
 * stop it (`DELETE`), its rows as NDJSON or CSV, and a recorded one replayed as a new run.
 *
 * @module
 */
import { Hono } from "hono";
import { join } from "node:path";
import { ParamError } from "../../params/schema.ts";
import { RUN_ID_PATTERN } from "../../runtime/run_id.ts";
import { resolveRunParams } from "../../runtime/run_params.ts";
import { toCsv } from "../export.ts";
import { MAX_SHARDS } from "../runs.ts";
import { bad, CONTROL_BODY, csv, jsonObject, limit, NDJSON, type PresenterAuth } from "../http.ts";
import type { AppOptions } from "../app.ts";

export function runRoutes(opts: AppOptions, { presenter }: PresenterAuth): Hono {
  const { runs } = opts;
  const app = new Hono();
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

  return app;
}
