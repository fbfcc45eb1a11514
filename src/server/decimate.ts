/**
 * Thinning long series on the way to the dashboard (the log keeps every row).
 * Within a series — a stream's rows sharing the values of its `series` fields
 * (StreamSpec) — row n passes when n < limit or n is a multiple of a stride
 * that doubles each time the series doubles past the limit. So a series of
 * n rows arrives as about limit·(1 + ½ log2(n/limit)) points spread over its
 * whole length (2,700 for a million rows), and the dashboard thins further to
 * `limit` when it draws. The
 * last row of each series is always delivered, before the run's `done` row.
 *
 * @module
 */
import { Observable, type OperatorFunction } from "rxjs";
import type { StreamSpec } from "../runtime/pipeline.ts";
import type { Row } from "../runtime/run.ts";

export const SERIES_LIMIT = 1000;

/** Stride for the n-th row (0-based) of a series. */
export function strideAt(n: number, limit = SERIES_LIMIT): number {
  let stride = 1;
  while (n >= limit * stride * 2) stride *= 2;
  return n < limit ? 1 : stride * 2;
}

export function decimateSeries(
  streams: Readonly<Record<string, StreamSpec>>,
  limit = SERIES_LIMIT,
): OperatorFunction<Row, Row> {
  return (source) =>
    new Observable<Row>((subscriber) => {
      const counts = new Map<string, number>();
      const skipped = new Map<string, Row>(); // the newest row held back, per series
      return source.subscribe({
        next(row) {
          const by = streams[row.stream]?.series;
          if (!by) {
            if (row.stream === "done") {
              for (const r of skipped.values()) subscriber.next(r);
              skipped.clear();
            }
            return subscriber.next(row);
          }
          const key = `${row.run}\u0000${row.stream}\u0000${
            by.map((f) => String(row[f])).join("\u0000")
          }`;
          const n = counts.get(key) ?? 0;
          counts.set(key, n + 1);
          if (n % strideAt(n, limit) === 0) {
            skipped.delete(key);
            subscriber.next(row);
          } else skipped.set(key, row);
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          for (const r of skipped.values()) subscriber.next(r);
          subscriber.complete();
        },
      });
    });
}
