/**
 * Panels for a run whose pipeline the server does not define (rows posted by
 * another tool): one series per stream, its x the first of step / epoch / t /
 * iteration it has (else seq), its y the first other numeric field. Pure and
 * DOM-free, so it is tested under Deno.
 *
 * @module
 */
import type { PanelSpec } from "../src/runtime/pipeline.ts";
import type { Row } from "./store.ts";

const X_FIELDS = ["step", "epoch", "t", "iteration", "iter", "x"];
const SKIP = new Set(["run", "pipeline", "stream", "seq"]);

export function genericPanels(streams: ReadonlyMap<string, readonly Row[]>): PanelSpec[] {
  const panels: PanelSpec[] = [];
  for (const [stream, rows] of streams) {
    const first = rows[0];
    if (!first) continue;
    const numeric = Object.keys(first).filter((k) => !SKIP.has(k) && typeof first[k] === "number");
    const x = X_FIELDS.find((k) => numeric.includes(k)) ?? "seq";
    const ys = numeric.filter((k) => k !== x);
    if (!ys.length) {
      panels.push({ kind: "table", id: stream, title: stream, stream });
      continue;
    }
    for (const y of ys.slice(0, 4)) {
      panels.push({
        kind: "series",
        id: ys.length > 1 ? `${stream}.${y}` : stream,
        title: ys.length > 1 ? `${stream}: ${y}` : stream,
        stream,
        x,
        y,
      });
    }
  }
  return panels;
}
