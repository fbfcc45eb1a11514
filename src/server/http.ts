/**
 * What every route of the HTTP contract shares (src/server/app.ts and routes/): the JSON
 * error body `{error, param?}`, body limits, JSON-object bodies, and the presenter's token.
 *
 * @module
 */
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { tokensEqual } from "./token.ts";

/** Control bodies are small JSON; ingested rows come in larger NDJSON batches. */
export const CONTROL_BODY = 64 * 1024;
export const INGEST_BODY = 1024 * 1024;

export const NDJSON = { "content-type": "application/x-ndjson" };

/** A 4xx naming what was wrong (and the param, where one was). */
export const bad = (
  c: Context,
  status: 400 | 401 | 403 | 404 | 409 | 413,
  error: string,
  param?: string,
) => c.json(param ? { error, param } : { error }, status);

/** Refuse a body over `maxSize` bytes with a 413 that says the limit. */
export const limit = (maxSize: number) =>
  bodyLimit({
    maxSize,
    onError: (c) => bad(c, 413, `request body over ${maxSize / 1024} KiB`),
  });

/** The body as a JSON object, or a 400 response saying what was expected. */
export async function jsonObject(
  c: Context,
  expected: string,
): Promise<Record<string, unknown> | Response> {
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
}

/** "a,b" → {a, b}; absent → undefined (no filter). */
export const csv = (s: string | undefined) =>
  s ? new Set(s.split(",").map((x) => x.trim()).filter(Boolean)) : undefined;

/** The presenter's token: whether a request carries it, and middleware that requires it. */
export interface PresenterAuth {
  isPresenter(c: Context): boolean;
  presenter(c: Context, next: () => Promise<void>): Promise<Response | void>;
}

export function presenterAuth(token: string | null): PresenterAuth {
  const given = (c: Context) =>
    c.req.header("authorization")?.replace(/^Bearer\s+/i, "") ?? c.req.query("token");
  return {
    isPresenter(c) {
      const g = given(c);
      return token !== null && g !== undefined && tokensEqual(g, token);
    },
    async presenter(c, next) {
      if (!token) return await next();
      const g = given(c);
      if (!g) {
        return bad(
          c,
          401,
          "this server needs the presenter token to start or stop runs (Authorization: Bearer <token>)",
        );
      }
      if (!tokensEqual(g, token)) return bad(c, 403, "wrong presenter token");
      await next();
    },
  };
}
