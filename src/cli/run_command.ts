/**
 * `deno task run <pipeline> [--<param> <value>]…`: one run, NDJSON rows on
 * stdout, a progress line on stderr. Exit 0 when the run is ok, 1 when it
 * failed after starting (after its error and done rows), 130 when stopped by
 * Ctrl-C (its done row says "stopped").
 *
 * @module
 */
import type { Pipeline } from "../runtime/pipeline.ts";
import { type Row, runPipeline } from "../runtime/run.ts";
import { newRunId } from "../runtime/run_id.ts";
import type { RunArgs } from "./args.ts";

const encoder = new TextEncoder();

/** Write all of `bytes` to stdout; false when the reader has gone (a closed pipe). */
function writeOut(bytes: Uint8Array): boolean {
  try {
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.BrokenPipe) return false;
    throw e;
  }
}

// deno-lint-ignore no-explicit-any
export function runCommand(def: Pipeline<any>, args: RunArgs): Promise<number> {
  const runId = newRunId();
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  Deno.addSignalListener("SIGINT", onSigint);
  const tty = Deno.stderr.isTerminal();
  let rows = 0;
  let lastProgress = performance.now();
  const progress = (final: string | null) => {
    const now = performance.now();
    if (final === null && now - lastProgress < (tty ? 200 : 2000)) return;
    lastProgress = now;
    const msg = `${def.id} ${runId}: ${rows} rows${final ? `, ${final}` : ""}`;
    Deno.stderr.writeSync(encoder.encode(tty ? `\r${msg}${final ? "\n" : ""}` : `${msg}\n`));
  };
  return new Promise((resolve) => {
    let status = "failed";
    runPipeline(def, { ...args, runId, signal: stop.signal }).subscribe({
      next: (row: Row) => {
        rows++;
        if (row.stream === "done") status = String(row.status);
        if (row.stream === "error") {
          Deno.stderr.writeSync(encoder.encode(`${tty ? "\n" : ""}error: ${row.message}\n`));
        }
        if (!writeOut(encoder.encode(JSON.stringify(row) + "\n"))) stop.abort(); // `| head` closed the pipe
        progress(null);
      },
      complete: () => {
        Deno.removeSignalListener("SIGINT", onSigint);
        progress(`${status}`);
        resolve(status === "ok" ? 0 : status === "stopped" ? 130 : 1);
      },
    });
  });
}
