/**
 * A run's rows as CSV, for spreadsheets and pandas: one column per field met
 * (envelope first, then in order of first appearance), blank where a row has no
 * such field, arrays and strings quoted as needed (RFC 4180).
 *
 * @module
 */
import type { Row } from "../runtime/run.ts";

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const s = Array.isArray(v) ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export function toCsv(rows: readonly Row[]): string {
  const columns: string[] = ["run", "pipeline", "stream", "seq"];
  const seen = new Set(columns);
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const lines = [columns.join(",")];
  for (const r of rows) {
    lines.push(columns.map((c) => cell((r as Record<string, unknown>)[c])).join(","));
  }
  return lines.join("\n") + "\n";
}
