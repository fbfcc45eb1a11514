/** Reading an SSE response body in tests: accumulate text until a condition holds. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  text = "";

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** Read until `done(text)` is true; throws if the stream ends first. */
  async until(done: (text: string) => boolean): Promise<string> {
    while (!done(this.text)) {
      const { value, done: end } = await this.#reader.read();
      if (end) throw new Error(`stream ended before the condition held; got:\n${this.text}`);
      this.text += this.#decoder.decode(value, { stream: true });
    }
    return this.text;
  }

  /** The ids of complete messages received so far. */
  ids(): number[] {
    return [...this.text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
  }

  /** Rows of every complete message received so far. */
  rows(): Record<string, unknown>[] {
    return [...this.text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
  }

  /** Rows of the complete messages of event `event` (one `data:` line per row of a batch). */
  rowsOf(event: string): Record<string, unknown>[] {
    return this.text.split("\n\n").filter((e) => e.split("\n").includes(`event: ${event}`))
      .flatMap((e) => [...e.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1])));
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}
