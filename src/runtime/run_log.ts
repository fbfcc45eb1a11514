/**
 * The append-only NDJSON log of a run, `<dir>/<run>.ndjson`: the source of
 * replays. Each row goes down in one write of one whole line to a file opened
 * for appending, so a killed process leaves whole lines (at worst the last
 * line missing, never half of it, for lines under the pipe buffer size).
 * (No node:path: run.ts imports this, and run.ts also runs in a browser's worker.)
 *
 * @module
 */
const encoder = new TextEncoder();

export class RunLog {
  #file: Deno.FsFile | null;

  constructor(dir: string, run: string) {
    Deno.mkdirSync(dir, { recursive: true });
    this.#file = Deno.openSync(`${dir}/${run}.ndjson`, { append: true, create: true });
  }

  append(row: unknown): void {
    if (!this.#file) return;
    const bytes = encoder.encode(JSON.stringify(row) + "\n");
    let off = 0;
    while (off < bytes.length) off += this.#file.writeSync(bytes.subarray(off));
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}
