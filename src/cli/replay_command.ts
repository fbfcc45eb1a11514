/**
 * `replay`: a recorded run's NDJSON log served to the dashboard as if live, at a
 * multiple of its recorded pace (or `--rate` rows/s), or rows piped to standard input
 * as they come (`deno task run … | deno task replay -`).
 *
 * @module
 */
import { Subject } from "rxjs";
import { PIPELINES } from "../../pipelines/mod.ts";
import type { Row } from "../runtime/run.ts";
import { ensureBundle } from "../server/assets.ts";
import { linesOf, paced, parseRows } from "../server/replay.ts";
import { paramsOf } from "../server/runs.ts";
import { UsageError } from "./args.ts";
import { serve } from "./serve.ts";
import { parseServeFlags, type ServeFlags } from "./serve_flags.ts";

/** Rows piped to standard input, as they come (`deno task run … | deno task replay -`). */
async function replayStdin(f: ServeFlags): Promise<number> {
  await ensureBundle();
  const { runs, base } = serve({ ...f, backend: "cpu" }, () => PIPELINES, crypto.randomUUID());
  console.error(`statmech-live on ${base} (rows from standard input)`);
  const started = new Set<string>();
  const feeds = new Map<string, Subject<Row>>();
  for await (const row of linesOf(Deno.stdin.readable)) {
    let feed = feeds.get(row.run);
    if (!feed) {
      if (started.has(row.run)) continue; // a run seen and finished: ignore repeats
      started.add(row.run);
      feed = new Subject();
      feeds.set(row.run, feed);
      const def = PIPELINES.find((p) => p.id === row.pipeline);
      runs.replay(
        row.run,
        row.pipeline,
        row.stream === "meta" ? paramsOf([row], def) : {},
        def?.streams ?? {},
        feed,
      );
      console.error(`  ${row.pipeline} ${row.run}: ${base}#run=${row.run}`);
    }
    feed.next(row);
    if (row.stream === "done") {
      feed.complete();
      feeds.delete(row.run);
    }
  }
  for (const feed of feeds.values()) feed.complete();
  console.error("standard input closed; still serving (Ctrl-C to stop)");
  await new Promise(() => {});
  return 0;
}

export async function replayCommand(args: string[]): Promise<number> {
  const [file, ...rest] = args;
  if (!file || (file.startsWith("--") && file !== "-")) {
    throw new UsageError(
      "replay needs a file, or - for standard input: deno task replay <file.ndjson>",
    );
  }
  const f = parseServeFlags(rest, ["--port", "--host", "--rate", "--speed", "--log-dir"]);
  if (file === "-") return await replayStdin(f);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : e}`);
  }
  const all = parseRows(text);
  if (!all.length) throw new UsageError(`${file} holds no rows (NDJSON with run, stream, seq)`);
  const id = all[0].run;
  const rows = all.filter((r) => r.run === id);
  const def = PIPELINES.find((p) => p.id === rows[0].pipeline);
  const done = rows.find((r) => r.stream === "done");
  // ×speed of the recorded average pace (rows carry no timestamps), unless --rate is given
  const rate = f.rate ??
    (typeof done?.seconds === "number" && done.seconds > 0
      ? Math.min(1e6, (rows.length / done.seconds) * f.speed)
      : 200 * f.speed);
  await ensureBundle();
  const { runs, base } = serve({ ...f, backend: "cpu" }, () => PIPELINES, crypto.randomUUID());
  runs.replay(id, rows[0].pipeline, paramsOf(rows, def), def?.streams ?? {}, paced(rows, rate));
  console.error(
    `replaying ${rows.length} rows of ${id} at ${rate.toFixed(0)} rows/s: ${base}#run=${id}`,
  );
  await new Promise(() => {}); // serve until Ctrl-C
  return 0;
}
