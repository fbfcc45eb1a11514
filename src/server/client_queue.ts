/**
 * One SSE viewer's outbox. Writes to the viewer are awaited (the only
 * backpressure, STACK.md), so messages for a slow viewer wait here; past
 * `maxRows` rows waiting, the viewer is dropped rather than let it hold memory
 * or slow the others. Its EventSource reconnects with Last-Event-ID and
 * resumes from the hub's ring, so a dropped viewer loses nothing the ring
 * still holds.
 *
 * @module
 */
import type { Message } from "./hub.ts";

export type Item = Message | "heartbeat";

export class ClientQueue {
  #items: Item[] = [];
  #rows = 0;
  #closed = false;
  #wake: ((item: Item | null) => void) | null = null;

  constructor(readonly maxRows = 50_000) {}

  /** Queue a message; a viewer this far behind is dropped. */
  push(m: Message): void {
    if (this.#closed) return;
    if (this.#rows + m.rows > this.maxRows) return this.close();
    this.#offer(m);
  }

  /** Queue a heartbeat comment unless something is already waiting to go. */
  heartbeat(): void {
    if (!this.#closed && this.#items.length === 0) this.#offer("heartbeat");
  }

  /** The next item, or null once closed. */
  next(): Promise<Item | null> {
    const item = this.#items.shift();
    if (item !== undefined) {
      if (item !== "heartbeat") this.#rows -= item.rows;
      return Promise.resolve(item);
    }
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.#wake = resolve));
  }

  close(): void {
    this.#closed = true;
    this.#items = [];
    this.#rows = 0;
    this.#take(null);
  }

  #offer(item: Item): void {
    if (this.#wake) return this.#take(item);
    this.#items.push(item);
    if (item !== "heartbeat") this.#rows += item.rows;
  }

  #take(item: Item | null): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.(item);
  }
}
