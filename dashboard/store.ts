/**
 * The dashboard's view of the bus: rows by run and stream, built from SSE
 * messages (each message's data is NDJSON). Pure and DOM-free, so it is
 * tested under Deno.
 *
 * @module
 */

export type Row = Readonly<Record<string, unknown>> & { run: string; stream: string; seq: number };

export interface RunView {
  readonly run: string;
  readonly pipeline: string;
  status: string;
  meta: Row | null;
  error: Row | null;
  /** the done row, once the run has ended (its `computed` says what really ran) */
  done: Row | null;
  readonly streams: Map<string, Row[]>;
  /**
   * The last seq seen per stream, so a row delivered twice never doubles a
   * point. Per stream, because messages are batched per stream: across
   * streams, seqs arrive out of order.
   */
  readonly lastSeq: Map<string, number>;
}

export class Store {
  readonly runs = new Map<string, RunView>();

  /** Add one SSE message's rows; returns the runs it touched. */
  addMessage(data: string): Set<string> {
    const touched = new Set<string>();
    for (const line of data.split("\n")) {
      if (!line) continue;
      const row = JSON.parse(line) as Row;
      if (this.add(row)) touched.add(row.run);
    }
    return touched;
  }

  add(row: Row): boolean {
    let view = this.runs.get(row.run);
    if (!view) {
      view = {
        run: row.run,
        pipeline: String(row.pipeline),
        status: "running",
        meta: null,
        error: null,
        done: null,
        streams: new Map(),
        lastSeq: new Map(),
      };
      this.runs.set(row.run, view);
    }
    if (row.seq <= (view.lastSeq.get(row.stream) ?? -1)) return false;
    view.lastSeq.set(row.stream, row.seq);
    if (row.stream === "meta") view.meta = row;
    else if (row.stream === "error") view.error = row;
    else if (row.stream === "done") {
      view.status = String(row.status);
      view.done = row;
    } else {
      let rows = view.streams.get(row.stream);
      if (!rows) view.streams.set(row.stream, rows = []);
      rows.push(row);
    }
    return true;
  }

  /**
   * A run's full log (fetched for a run this page joined too late for the
   * hub's ring, or a recorded one): it becomes the run's rows, and rows that
   * arrived live meanwhile and are newer than the log are kept after it.
   */
  loadLog(run: string, rows: readonly Row[]): void {
    const before = this.runs.get(run);
    this.runs.delete(run);
    for (const r of rows) this.add(r);
    if (!before) return;
    const live = [before.meta, before.error, ...[...before.streams.values()].flat()];
    for (const r of live) if (r) this.add(r);
    if (before.status !== "running") this.runs.get(run)!.status = before.status;
  }

  /** The newest run (ids sort by start time). */
  latest(): string | null {
    let best: string | null = null;
    for (const id of this.runs.keys()) if (best === null || id > best) best = id;
    return best;
  }
}

/** At most `limit` points per series for drawing: every k-th point, the last always kept. */
export function thin<T>(rows: readonly T[], limit = 1000): T[] {
  if (rows.length <= limit) return rows.slice();
  const k = Math.ceil(rows.length / limit);
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += k) out.push(rows[i]);
  if (out.at(-1) !== rows.at(-1)) out.push(rows.at(-1)!);
  return out;
}
