/**
 * The talk (`watch <talk>`): its state (the notes for the presenter only) and moving it to a
 * slide (`PUT /api/talk/slide`), which every page follows.
 *
 * @module
 */
import { Hono } from "hono";
import { ParamError } from "../../params/schema.ts";
import { SlideError } from "../talk_state.ts";
import { bad, CONTROL_BODY, jsonObject, limit, type PresenterAuth } from "../http.ts";
import type { AppOptions } from "../app.ts";

export function talkRoutes(opts: AppOptions, { presenter, isPresenter }: PresenterAuth): Hono {
  const app = new Hono();
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

  return app;
}
