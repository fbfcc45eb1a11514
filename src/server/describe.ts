/** A pipeline definition as JSON: what `GET /api/pipelines` and `list --json` return. */
import { toJsonSchema } from "../params/schema.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { runSchema } from "../runtime/run_params.ts";
import { LOCAL_PIPELINES } from "../../pipelines/local.ts";

// deno-lint-ignore no-explicit-any
export function describePipeline(def: Pipeline<any>) {
  return {
    id: def.id,
    title: def.title,
    cite: def.cite,
    description: def.description,
    params: toJsonSchema(runSchema(def)),
    streams: def.streams,
    panels: def.panels,
    /** whether a viewer's browser can recompute it (pipelines/local.ts) */
    local: LOCAL_PIPELINES.includes(def),
  };
}

export type PipelineDescription = ReturnType<typeof describePipeline>;
