/**
 * The hub: every batch from every run becomes one numbered message, kept in a
 * bounded ring (for viewers that join late and for `Last-Event-ID` resume)
 * and handed to each subscriber whose filter matches. Messages are serialised
 * once, here, and shared by all viewers.
 *
 * A viewer that connects fresh gets the ring (the recent history of every
 * run), then live messages; one that resumes gets the ring's messages after
 * its last id, then live ones: no gaps while its messages are still in the
 * ring, no duplicates ever. The ring holds at most `maxRows` rows; older runs
 * stay readable in full from their NDJSON logs.
 *
 * @module
 */
import type { Batch } from "./batch.ts";

export interface Message {
  /** in-process: 1, 2, 3…; on Redis, the stream entry's id ("1796190177242-0") */
  readonly id: number | string;
  readonly run: string;
  readonly stream: string;
  /** the rows as NDJSON, one row per line, no trailing newline */
  readonly data: string;
  readonly rows: number;
}

export interface Filter {
  readonly runs?: ReadonlySet<string>;
  readonly streams?: ReadonlySet<string>;
}

export const matches = (f: Filter, m: Message) =>
  (!f.runs || f.runs.has(m.run)) && (!f.streams || f.streams.has(m.stream));

export type Deliver = (m: Message) => void;

/** What a hub is to the server, the runs and the talk: the in-process one or RedisHub. */
export interface HubLike {
  /** Number one batch and deliver it (on Redis: once it is back from the stream). */
  publish(batch: Batch): void;
  /**
   * Replay what the hub holds after `lastId` (everything when null), then deliver live
   * messages, nothing lost in between. Returns the unsubscribe function.
   */
  subscribe(
    filter: Filter,
    lastId: string | null,
    deliver: Deliver,
    internal?: boolean,
  ): () => void;
  /** (`internal`: the server's own bookkeeping, such as the runs list; not counted as a viewer) */
  /** A Last-Event-ID as this hub's ids are written, or null (then the viewer starts fresh). */
  parseId(raw: string): string | null;
  readonly subscribers: number;
  /** What /api/health reports of the hub. */
  health(): { readonly hub: string; readonly connected: boolean; readonly detail?: string };
  close(): Promise<void>;
}

/**
 * What both hubs keep and do: the ring of recent messages (at most `maxRows` rows, the oldest
 * dropped first) and the subscribers, each with its filter; a subscriber replays the ring
 * after its last id, then gets live messages, in one synchronous call so nothing falls between.
 */
export class Fanout {
  #ring: Message[] = [];
  #head = 0; // index of the oldest live entry in #ring
  #ringRows = 0;
  readonly #subs = new Map<Deliver, Filter>();
  readonly #internal = new Set<Deliver>();

  constructor(readonly maxRows: number) {}

  /** Keep a message and deliver it to every matching subscriber. */
  add(m: Message): void {
    this.#ring.push(m);
    this.#ringRows += m.rows;
    while (this.#ringRows > this.maxRows && this.#ring.length - this.#head > 1) {
      this.#ringRows -= this.#ring[this.#head++].rows;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#ring.length) {
      this.#ring = this.#ring.slice(this.#head);
      this.#head = 0;
    }
    for (const [deliver, filter] of this.#subs) if (matches(filter, m)) deliver(m);
  }

  /** `isNew(m)`: whether m comes after the subscriber's last id (null: it has none). */
  subscribe(
    filter: Filter,
    isNew: ((m: Message) => boolean) | null,
    deliver: Deliver,
    internal: boolean,
  ): () => void {
    for (let i = this.#head; i < this.#ring.length; i++) {
      const m = this.#ring[i];
      if ((isNew === null || isNew(m)) && matches(filter, m)) deliver(m);
    }
    this.#subs.set(deliver, filter);
    if (internal) this.#internal.add(deliver);
    return () => {
      this.#subs.delete(deliver);
      this.#internal.delete(deliver);
    };
  }

  /** viewers, not the server's own bookkeeping */
  get subscribers(): number {
    return this.#subs.size - this.#internal.size;
  }
}

export class Hub implements HubLike {
  #nextId = 1;
  readonly #fanout: Fanout;

  constructor(readonly maxRows = 200_000) {
    this.#fanout = new Fanout(maxRows);
  }

  /** Number one batch, keep it, deliver it. */
  publish(batch: Batch): Message {
    const m: Message = {
      id: this.#nextId++,
      run: batch.run,
      stream: batch.stream,
      data: batch.rows.map((r) => JSON.stringify(r)).join("\n"),
      rows: batch.rows.length,
    };
    this.#fanout.add(m);
    return m;
  }

  /**
   * Replay what the ring holds after `lastId` (all of it when null), then
   * deliver live messages, with nothing in between lost: both happen in this
   * synchronous call. Returns the unsubscribe function.
   */
  subscribe(
    filter: Filter,
    lastId: number | string | null,
    deliver: Deliver,
    internal = false,
  ): () => void {
    const after = Number(lastId);
    const isNew = lastId === null ? null : (m: Message) => (m.id as number) > after;
    return this.#fanout.subscribe(filter, isNew, deliver, internal);
  }

  parseId(raw: string): string | null {
    return /^\d+$/.test(raw) ? raw : null;
  }

  health() {
    return { hub: "memory", connected: true };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** How many viewers are subscribed (teardown is tested through this). */
  get subscribers(): number {
    return this.#fanout.subscribers;
  }
}
