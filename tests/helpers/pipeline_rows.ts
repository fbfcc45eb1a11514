/**
 * Every row of one in-process run of a pipeline (params resolved as the CLI and
 * HTTP resolve them, wasm unless told, no log), for tests that assert on a whole run.
 *
 * @module
 */
import { firstValueFrom, toArray } from "rxjs";
import type { BackendChoice } from "../../src/compute/backend.ts";
import type { Pipeline } from "../../src/runtime/pipeline.ts";
import { type Row, runPipeline } from "../../src/runtime/run.ts";
import { resolveRunParams } from "../../src/runtime/run_params.ts";

export async function pipelineRows(
  // deno-lint-ignore no-explicit-any
  def: Pipeline<any>,
  params: Readonly<Record<string, unknown>>,
  runId = "t",
  backend: BackendChoice = "wasm",
): Promise<Row[]> {
  return await firstValueFrom(
    runPipeline(def, {
      params: resolveRunParams(def, params),
      runId,
      backend,
      logDir: null,
    }).pipe(toArray()),
  );
}
