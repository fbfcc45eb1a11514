/**
 * Rows from outside (a Python training loop posting its loss): NDJSON, one flat
 * object per line with a `stream` name, checked as strictly as a pipeline's rows
 * — finite numbers, strings, booleans, null or arrays of finite numbers, nothing
 * nested. A batch is accepted whole or refused whole, with the first bad line
 * named, so a client never half-posts.
 *
 * @module
 */
import type { Fields, Value } from "../runtime/pipeline.ts";

export class IngestError extends Error {}

/** Stream names: short identifiers (they become SSE event names and CSV file names). */
export const STREAM_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;
/** The runtime's streams: `done` ends an ingested run; `meta` and `error` are the server's. */
const RESERVED = new Set(["meta", "error"]);
/** Fields the server stamps itself; a client's values for them are replaced. */
const ENVELOPE = new Set(["run", "pipeline", "seq"]);

export interface IngestRow {
  readonly stream: string;
  readonly fields: Fields;
}

const isValue = (v: unknown): v is Value =>
  v === null || typeof v === "string" || typeof v === "boolean" ||
  (typeof v === "number" && Number.isFinite(v)) ||
  (Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x)));

/** Parse a posted NDJSON body; throws IngestError naming the first bad line. */
export function parseIngest(text: string, maxRows = 10_000): IngestRow[] {
  const out: IngestRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const where = `line ${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new IngestError(`${where}: not JSON: ${line.slice(0, 80)}`);
    }
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
      throw new IngestError(
        `${where}: a row must be a JSON object, e.g. {"stream": "loss", "step": 1, "loss": 0.5}`,
      );
    }
    const { stream, ...rest } = obj as Record<string, unknown>;
    if (typeof stream !== "string" || !STREAM_NAME.test(stream) || RESERVED.has(stream)) {
      throw new IngestError(
        `${where}: "stream" must name the row's stream (letters, digits, _ or -, not meta or error), got ${
          JSON.stringify(stream)
        }`,
      );
    }
    const fields: Record<string, Value> = {};
    for (const [k, v] of Object.entries(rest)) {
      if (ENVELOPE.has(k)) continue;
      if (!isValue(v)) {
        throw new IngestError(
          `${where}: field "${k}" must be a finite number, string, boolean, null or array of finite numbers, got ${
            JSON.stringify(v)?.slice(0, 40)
          }`,
        );
      }
      fields[k] = v;
    }
    if (
      stream === "done" && !["ok", "stopped", "failed", undefined].includes(fields.status as string)
    ) {
      throw new IngestError(`${where}: done.status must be ok, stopped or failed`);
    }
    out.push({ stream, fields });
    if (out.length > maxRows) throw new IngestError(`more than ${maxRows} rows in one request`);
  }
  if (!out.length) throw new IngestError("no rows: send NDJSON, one object per line");
  return out;
}
