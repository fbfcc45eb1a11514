/**
 * The hub on Redis Streams, for several server replicas behind one address (issue #23):
 * every batch is XADDed to one stream, and each replica reads the stream back (XREAD BLOCK)
 * into its own ring and fans it out to its own SSE viewers. A message's id is its Redis
 * entry id, the same on every replica, so a viewer that reconnects to another replica with
 * Last-Event-ID resumes exactly: no gap, no duplicate.
 *
 * A replica's own batches reach its viewers the same way, back from Redis, so every replica
 * delivers every message in the stream's one order. The stream is capped with MAXLEN ~ at
 * `maxEntries` batches; each replica's ring keeps at most `maxRows` rows, like the in-process
 * hub's (src/server/hub.ts), whose subscribe/resume contract this one keeps
 * (tests/redis_hub_test.ts runs the same contract on both).
 *
 * Redis going away: ioredis reconnects with backoff (logged, and reported by /api/health);
 * batches published meanwhile wait in its offline queue and are added on reconnection; the
 * reader resumes from the last id it saw. An entry that does not parse is logged and skipped.
 *
 * @module
 */
import { Redis } from "ioredis";
import type { Batch } from "./batch.ts";
import { type Deliver, Fanout, type Filter, type HubLike, type Message } from "./hub.ts";
import { HubUrlError, parseHubUrl } from "./hub_url.ts";

export const STREAM_KEY = "statmech:events";
const ID = /^(\d+)-(\d+)$/;

/** a < b for Redis stream ids ("ms-seq") */
export function idBefore(a: string, b: string): boolean {
  const [, am, as] = a.match(ID)!, [, bm, bs] = b.match(ID)!;
  return am.length !== bm.length
    ? am.length < bm.length
    : am !== bm
    ? am < bm
    : Number(as) < Number(bs);
}

export interface RedisHubOptions {
  readonly maxRows?: number;
  readonly maxEntries?: number;
  readonly key?: string;
  /** how long to wait for the first connection before giving up (ms) */
  readonly connectTimeoutMs?: number;
  readonly log?: (line: string) => void;
  /** false: publish only (a worker), no history and no reading of the stream */
  readonly read?: boolean;
}

export class RedisHub implements HubLike {
  readonly #writer: Redis;
  readonly #reader: Redis;
  readonly #key: string;
  readonly #maxEntries: number;
  readonly #log: (line: string) => void;
  readonly #fanout: Fanout;
  #lastSeen = "0-0";
  #closed = false;
  #connected = false;
  #started = false;
  #detail = "";
  #loop: Promise<void> = Promise.resolve();

  private constructor(readonly url: string, o: RedisHubOptions) {
    this.#key = o.key ?? STREAM_KEY;
    this.#fanout = new Fanout(o.maxRows ?? 200_000);
    this.#maxEntries = o.maxEntries ?? 100_000;
    this.#log = o.log ?? ((line) => console.error(line));
    const retryStrategy = (times: number) => {
      const wait = Math.min(100 * 2 ** Math.min(times, 6), 5_000);
      this.#note(false, `reconnecting in ${wait} ms`);
      return wait;
    };
    const options = {
      lazyConnect: true,
      maxRetriesPerRequest: null,
      retryStrategy,
      enableReadyCheck: true,
    };
    this.#writer = new Redis(url, options);
    this.#reader = new Redis(url, options);
    for (const r of [this.#writer, this.#reader]) {
      r.on("error", (e: Error) => this.#note(false, e.message));
      r.on("ready", () => this.#note(true, "connected"));
    }
  }

  /** Connect (or fail within the timeout, naming the URL), load the stream's recent history, start reading. */
  static async connect(url: string, o: RedisHubOptions = {}): Promise<RedisHub> {
    parseHubUrl(url);
    const hub = new RedisHub(url, o);
    const timeout = o.connectTimeoutMs ?? 3_000;
    try {
      await Promise.race([
        Promise.all([hub.#writer.connect(), hub.#reader.connect()]),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`no answer within ${timeout} ms`)), timeout)
        ),
      ]);
    } catch (e) {
      hub.#closed = true;
      hub.#writer.disconnect();
      hub.#reader.disconnect();
      // the socket's own error (ECONNREFUSED…) says more than ioredis's "Connection is closed"
      const why = hub.#detail || (e as Error).message;
      throw new HubUrlError(`--hub ${url}: cannot connect (${why})`);
    }
    if (o.read === false) {
      hub.#reader.disconnect();
      return hub;
    }
    // the history every replica shares: the stream as Redis holds it, oldest first
    const entries = await hub.#reader.xrevrange(hub.#key, "+", "-", "COUNT", hub.#maxEntries);
    for (const [id, fields] of entries.reverse()) hub.#take(id, fields);
    hub.#loop = hub.#read();
    return hub;
  }

  publish(batch: Batch): void {
    if (this.#closed) return;
    const data = batch.rows.map((r) => JSON.stringify(r)).join("\n");
    this.#writer
      .xadd(
        this.#key,
        "MAXLEN",
        "~",
        String(this.#maxEntries),
        "*",
        "run",
        batch.run,
        "stream",
        batch.stream,
        "rows",
        String(batch.rows.length),
        "data",
        data,
      )
      .catch((e: Error) =>
        this.#log(`redis hub: a batch of ${batch.run}/${batch.stream} was not added: ${e.message}`)
      );
  }

  subscribe(filter: Filter, lastId: string | null, deliver: Deliver, internal = false): () => void {
    const isNew = lastId === null ? null : (m: Message) => idBefore(lastId, m.id as string);
    return this.#fanout.subscribe(filter, isNew, deliver, internal);
  }

  parseId(raw: string): string | null {
    return ID.test(raw) ? raw : null;
  }

  get subscribers(): number {
    return this.#fanout.subscribers;
  }

  health() {
    return { hub: "redis", connected: this.#connected, detail: this.#detail, url: this.url };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reader.disconnect();
    await this.#loop.catch(() => {});
    await this.#writer.quit().catch(() => this.#writer.disconnect());
  }

  #note(connected: boolean, detail: string): void {
    if (this.#closed) return;
    if (connected) this.#started = true;
    // before the first connection, connect() reports the failure in one line instead
    if (this.#started && (connected !== this.#connected || detail !== this.#detail)) {
      this.#log(`redis hub ${this.url}: ${detail}`);
    }
    this.#connected = connected;
    this.#detail = detail;
  }

  async #read(): Promise<void> {
    while (!this.#closed) {
      try {
        const res = await this.#reader.xread(
          "COUNT",
          1000,
          "BLOCK",
          1000,
          "STREAMS",
          this.#key,
          this.#lastSeen,
        );
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) this.#take(id, fields);
        }
      } catch (e) {
        if (this.#closed) return;
        this.#note(false, (e as Error).message);
        await new Promise((r) => setTimeout(r, 500)); // ioredis is reconnecting; try again shortly
      }
    }
  }

  /** One stream entry: into the ring and out to the subscribers, or logged and skipped. */
  #take(id: string, fields: string[]): void {
    this.#lastSeen = id;
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    const rows = Number(f.rows);
    if (
      !f.run || !f.stream || typeof f.data !== "string" || !(Number.isInteger(rows) && rows > 0)
    ) {
      this.#log(
        `redis hub: skipped entry ${id}: not a batch (fields ${
          Object.keys(f).join(", ") || "none"
        })`,
      );
      return;
    }
    const m: Message = { id, run: f.run, stream: f.stream, data: f.data, rows };
    this.#fanout.add(m); // the history, loaded before anyone subscribes, only fills the ring
  }
}
