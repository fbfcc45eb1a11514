/** `deno task list`: pipelines, their params (defaults, bounds, help) and streams. */
import { describeAllowed, flagName } from "../params/schema.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { runSchema } from "../runtime/run_params.ts";
import { describePipeline } from "../server/describe.ts";

// deno-lint-ignore no-explicit-any
export function listText(pipelines: readonly Pipeline<any>[]): string {
  const lines: string[] = [];
  for (const def of pipelines) {
    lines.push(`${def.id} — ${def.title}`, `  ${def.cite}`, "  params:");
    for (const [name, spec] of Object.entries(runSchema(def))) {
      lines.push(
        `    ${flagName(name).padEnd(18)} ${String(spec.default).padEnd(8)} ${
          describeAllowed(spec)
        }. ${spec.help}`,
      );
    }
    lines.push("  streams:");
    for (const [name, s] of Object.entries(def.streams)) {
      lines.push(`    ${name.padEnd(18)} {${Object.keys(s.fields).join(", ")}} ${s.doc}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

// deno-lint-ignore no-explicit-any
export function listJson(pipelines: readonly Pipeline<any>[]): string {
  return JSON.stringify(pipelines.map(describePipeline), null, 2);
}
