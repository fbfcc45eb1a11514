/** A table panel: the latest row of a stream (a fixed point, a summary), field by field. */
import type { Row } from "../store.ts";
import { nameOf, type PanelOptions, type TableSpec } from "./types.ts";

const ENVELOPE = new Set(["run", "pipeline", "stream", "seq"]);

export function formatValue(field: string, v: unknown): string {
  if (v === null) return field.startsWith("xi") ? "∞ (diverges)" : "— (unbounded)";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(5);
  return String(v);
}

export function tablePanel(
  rows: readonly Row[],
  _spec: TableSpec,
  opts: PanelOptions = {},
): Element {
  const doc = opts.document ?? globalThis.document;
  const table = doc.createElement("table");
  table.className = "kv";
  const last = rows.at(-1);
  if (!last) return table;
  for (const [k, v] of Object.entries(last)) {
    if (ENVELOPE.has(k)) continue;
    const tr = doc.createElement("tr");
    const th = doc.createElement("th");
    th.textContent = nameOf(opts, k);
    const td = doc.createElement("td");
    td.textContent = formatValue(k, v);
    tr.append(th, td);
    table.append(tr);
  }
  return table;
}
