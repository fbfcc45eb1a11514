/**
 * A talk: an ordered list of slides, each a title, a pipeline with params and
 * the panels to show (a JSON file in data/talks/). Parsing checks every slide
 * against the pipeline registry — params through the same resolution as the CLI
 * and HTTP, panels against the pipeline's panel ids — so a typo in a talk file
 * is one clear message naming the slide, not a failure in front of an audience.
 *
 * @module
 */
import { ParamError } from "../params/schema.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { resolveRunParams } from "../runtime/run_params.ts";

export interface Slide {
  readonly title: string;
  readonly pipeline: string;
  /** resolved: defaults filled, seed included (so a slide's run is reproducible) */
  readonly params: Readonly<Record<string, number | string>>;
  /** panel ids to show, in order (all of the pipeline's when the file leaves it out) */
  readonly panels: readonly string[];
  /** speaker's notes: shown in the presenter view only */
  readonly notes: string;
}

export interface Talk {
  /** the file's name without .json: what `watch <talk>` and URLs call it */
  readonly id: string;
  readonly title: string;
  readonly slides: readonly Slide[];
}

/** A talk file that cannot be used, with a message that says where and why. */
export class TalkError extends Error {}

/** Where talks live; `watch <name>` means data/talks/<name>.json. */
export const TALKS_DIR = "data/talks";
export const DEFAULT_TALK = "default";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Parse and check a talk file's text against the pipelines it names. */
export function parseTalk(
  text: string,
  id: string,
  // deno-lint-ignore no-explicit-any
  pipelines: readonly Pipeline<any>[],
): Talk {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TalkError(`talk ${id}: not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  if (!isObject(json)) throw new TalkError(`talk ${id}: must be an object {title, slides}`);
  const title = typeof json.title === "string" ? json.title : id;
  if (!Array.isArray(json.slides) || json.slides.length === 0) {
    throw new TalkError(`talk ${id}: "slides" must be a non-empty array`);
  }
  const ids = pipelines.map((p) => p.id);
  const slides = json.slides.map((s: unknown, i: number): Slide => {
    const where = `talk ${id}, slide ${i + 1}`;
    if (!isObject(s)) throw new TalkError(`${where}: must be an object {title, pipeline, params}`);
    if (typeof s.title !== "string" || !s.title) {
      throw new TalkError(`${where}: "title" must be a non-empty string`);
    }
    const def = pipelines.find((p) => p.id === s.pipeline);
    if (!def) {
      throw new TalkError(
        `${where} (${s.title}): unknown pipeline ${JSON.stringify(s.pipeline)}; available: ${
          ids.join(", ")
        }`,
      );
    }
    const raw = s.params ?? {};
    if (!isObject(raw)) throw new TalkError(`${where} (${s.title}): "params" must be an object`);
    let params: Record<string, number | string>;
    try {
      params = resolveRunParams(def, raw);
    } catch (e) {
      if (e instanceof ParamError) throw new TalkError(`${where} (${s.title}): ${e.message}`);
      throw e;
    }
    const known = def.panels.map((p) => p.id);
    let panels = known;
    if (s.panels !== undefined) {
      if (!Array.isArray(s.panels) || s.panels.some((p) => typeof p !== "string")) {
        throw new TalkError(`${where} (${s.title}): "panels" must be an array of panel ids`);
      }
      const unknown = s.panels.filter((p) => !known.includes(p));
      if (unknown.length) {
        throw new TalkError(
          `${where} (${s.title}): unknown panel ${unknown.join(", ")} of ${def.id}; its panels: ${
            known.join(", ")
          }`,
        );
      }
      panels = s.panels as string[];
    }
    const notes = typeof s.notes === "string" ? s.notes : "";
    return { title: s.title, pipeline: def.id, params, panels, notes };
  });
  return { id, title, slides };
}

/** The file behind `watch <talk>`: a bare name is data/talks/<name>.json, else a path. */
export function talkPath(nameOrPath: string): string {
  return /^[A-Za-z0-9_-]+$/.test(nameOrPath) ? `${TALKS_DIR}/${nameOrPath}.json` : nameOrPath;
}

/** The talk's id from its path: the file name without .json. */
export function talkId(path: string): string {
  return (path.split("/").pop() ?? path).replace(/\.json$/, "");
}
