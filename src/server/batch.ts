/**
 * Batching rows for the wire: one SSE message per batch of rows of one stream
 * of one run (DESIGN.md "SSE framing"). Rows wait at most `windowMs` (so a
 * panel sees them within a frame or two) and a batch holds at most `maxRows`.
 * A `done` row flushes everything first, so it is always a run's last message.
 *
 * @module
 */
import {
  asyncScheduler,
  Observable,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from "rxjs";
import type { Row } from "../runtime/run.ts";

export interface Batch {
  readonly run: string;
  readonly stream: string;
  readonly rows: readonly Row[];
}

export function batchByStream(
  windowMs = 25,
  maxRows = 500,
  scheduler: SchedulerLike = asyncScheduler,
): OperatorFunction<Row, Batch> {
  return (source) =>
    new Observable<Batch>((subscriber) => {
      const pending = new Map<string, Row[]>(); // insertion order = order of first row
      let timer: Subscription | null = null;
      const flush = () => {
        timer?.unsubscribe();
        timer = null;
        for (const rows of pending.values()) {
          subscriber.next({ run: rows[0].run, stream: rows[0].stream, rows });
        }
        pending.clear();
      };
      const sub = source.subscribe({
        next(row) {
          if (row.stream === "done") {
            flush();
            subscriber.next({ run: row.run, stream: row.stream, rows: [row] });
            return;
          }
          const key = `${row.run}\u0000${row.stream}`;
          let rows = pending.get(key);
          if (!rows) {
            pending.set(key, rows = []);
          }
          rows.push(row);
          if (rows.length >= maxRows) flush();
          else timer ??= scheduler.schedule(flush, windowMs);
        },
        error: (e) => {
          flush();
          subscriber.error(e);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        sub.unsubscribe();
        timer?.unsubscribe();
      };
    });
}
