/**
 * Reading a recorded run (NDJSON, envelope included) back as an Observable of
 * rows, paced at `rate` rows per second so it plays like the live run.
 * Lines that are not rows of the first run met are skipped; a file with no
 * rows is an error naming the file.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { Row } from "../runtime/run.ts";

/** Parse NDJSON text into rows (whole lines that hold an object with the envelope). */
export function parseRows(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line);
      if (
        r && typeof r === "object" && typeof r.run === "string" && typeof r.stream === "string" &&
        typeof r.seq === "number"
      ) {
        rows.push(Object.freeze(r));
      }
    } catch { /* a torn last line of a killed run: skip it */ }
  }
  return rows;
}

/** Emit rows in order, `rate` per second, in slices of 25 ms. */
export function paced(rows: readonly Row[], rate: number): Observable<Row> {
  return new Observable<Row>((subscriber) => {
    let i = 0;
    const perSlice = Math.max(1, Math.round(rate / 40));
    const timer = setInterval(() => {
      for (let k = 0; k < perSlice && i < rows.length; k++) subscriber.next(rows[i++]);
      if (i >= rows.length) {
        clearInterval(timer);
        subscriber.complete();
      }
    }, 25);
    return () => clearInterval(timer);
  });
}

/**
 * Rows from a byte stream as they arrive (standard input): whole lines only,
 * lines that are not rows skipped, like parseRows.
 */
export async function* linesOf(bytes: ReadableStream<Uint8Array>): AsyncGenerator<Row> {
  let buf = "";
  const decoder = new TextDecoder();
  for await (const chunk of bytes) {
    buf += decoder.decode(chunk, { stream: true });
    const cut = buf.lastIndexOf("\n");
    if (cut < 0) continue;
    yield* parseRows(buf.slice(0, cut));
    buf = buf.slice(cut + 1);
  }
  yield* parseRows(buf);
}
