/**
 * `watch`, `replay` and `bundle`: the server side of the CLI. `watch [talk]`
 * serves the dashboard and a talk, and re-runs what is on screen when a
 * pipeline's file or the talk file changes; `replay` serves a recorded run (or
 * rows piped to standard input) as if live; `bundle` only builds the dashboard.
 *
 * @module
 */
import { PIPELINES } from "../../pipelines/mod.ts";
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { createApp } from "../server/app.ts";
import { ensureBundle } from "../server/assets.ts";
import { Hub } from "../server/hub.ts";
import { linesOf, paced, parseRows } from "../server/replay.ts";
import { paramsOf, Runs } from "../server/runs.ts";
import { TalkState } from "../server/talk_state.ts";
import { DEFAULT_TALK, loadTalk, TalkError, talkPath } from "../talk/talk.ts";
import { Subject } from "rxjs";
import type { Row } from "../runtime/run.ts";
import { flagPairs, UsageError } from "./args.ts";

interface ServeFlags {
  port: number;
  host: string;
  backend: BackendChoice;
  token: string | null;
  logDir: string;
  rate: number | null;
  speed: number;
  offline: boolean;
}

function parseServeFlags(tokens: string[], allowed: readonly string[]): ServeFlags {
  const f: ServeFlags = {
    port: 8000,
    host: "127.0.0.1",
    backend: "auto",
    token: null,
    logDir: "data/runs",
    rate: null,
    speed: 1,
    offline: false,
  };
  const booleans = ["--offline"];
  for (
    const [flag, value] of flagPairs(
      tokens.flatMap((t) => booleans.includes(t) ? [t, "true"] : [t]),
    )
  ) {
    if (!allowed.includes(flag)) {
      throw new UsageError(`unknown flag ${flag}; allowed: ${allowed.join(", ")}`);
    }
    if (flag === "--port") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        throw new UsageError(`--port must be an integer in [0, 65535], got "${value}"`);
      }
      f.port = n;
    } else if (flag === "--host") f.host = value;
    else if (flag === "--backend") {
      if (!(BACKENDS as readonly string[]).includes(value)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
      }
      f.backend = value as BackendChoice;
    } else if (flag === "--token") f.token = value;
    else if (flag === "--log-dir") f.logDir = value;
    else if (flag === "--rate") {
      const n = Number(value);
      if (!(n > 0 && n <= 1e6)) {
        throw new UsageError(
          `--rate must be a number of rows per second in (0, 1e6], got "${value}"`,
        );
      }
      f.rate = n;
    } else if (flag === "--speed") {
      const n = Number(value);
      if (!(n > 0 && n <= 1000)) {
        throw new UsageError(
          `--speed must be a multiple of the recorded pace in (0, 1000], got "${value}"`,
        );
      }
      f.speed = n;
    } else if (flag === "--offline") f.offline = true;
  }
  return f;
}

function serve(
  f: ServeFlags,
  pipelines: () => readonly Pipeline[],
  token: string | null,
  talk?: (runs: Runs, hub: Hub) => TalkState,
) {
  const hub = new Hub();
  const runs = new Runs(hub, { backend: f.backend, logDir: f.logDir });
  const talkState = talk?.(runs, hub) ?? null;
  const app = createApp({ hub, runs, pipelines, token, logDir: f.logDir, talk: talkState });
  const server = Deno.serve({ hostname: f.host, port: f.port, onListen: () => {} }, app.fetch);
  const shown = f.host === "0.0.0.0" || f.host === "::" ? "localhost" : f.host;
  const base = `http://${shown.includes(":") ? `[${shown}]` : shown}:${server.addr.port}/`;
  return { hub, runs, server, base, talk: talkState };
}

/**
 * Hot reload. A changed pipeline file is re-imported (a fresh module URL) and
 * replaces its registry entry; what is on screen re-runs with the same params:
 * the current slide if it uses that pipeline, else the pipeline's latest run.
 * A changed talk file is re-read and re-runs the current slide. Edits come in
 * bursts of events (editors write, rename, chmod), so each file waits 150 ms.
 */
async function watchFiles(
  registry: Map<string, Pipeline>,
  runs: Runs,
  talk: { state: TalkState; path: string } | null,
): Promise<void> {
  const dir = new URL("../../pipelines/", import.meta.url).pathname;
  const talkFile = talk ? await Deno.realPath(talk.path) : null;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  // The talk file's directory, not the file: editors that save by renaming a new file
  // over the old one would leave a watch on the file itself watching nothing.
  const paths = talkFile ? [dir, talkFile.slice(0, talkFile.lastIndexOf("/"))] : [dir];
  for await (const ev of Deno.watchFs(paths, { recursive: false })) {
    for (const path of ev.paths) {
      const name = path.split("/").pop() ?? "";
      const isTalk = path === talkFile;
      if (!isTalk && (!path.startsWith(dir) || !name.endsWith(".ts") || name === "mod.ts")) {
        continue;
      }
      clearTimeout(timers.get(path));
      timers.set(
        path,
        setTimeout(() => {
          (isTalk ? reloadTalk(talk!, registry) : reloadPipeline(path, registry, runs, talk?.state))
            .catch((e) =>
              console.error(
                `${name} changed but failed to load: ${e instanceof Error ? e.message : e}`,
              )
            );
        }, 150),
      );
    }
  }
}

async function reloadTalk(
  talk: { state: TalkState; path: string },
  registry: Map<string, Pipeline>,
) {
  const next = await loadTalk(talk.path, [...registry.values()]);
  await talk.state.reload(next);
  console.error(
    `${talk.path} changed: ${next.slides.length} slides; re-running slide ${talk.state.slide + 1}`,
  );
}

async function reloadPipeline(
  path: string,
  registry: Map<string, Pipeline>,
  runs: Runs,
  talk: TalkState | undefined,
) {
  const name = path.split("/").pop();
  const mod = await import(`file://${path}?v=${Date.now()}`);
  const def = mod.default as Pipeline;
  registry.set(def.id, def);
  if (await talk?.pipelineChanged(def.id)) {
    console.error(`${name} changed: re-running slide ${talk!.slide + 1}`);
    return;
  }
  const last = runs.list().filter((r) => r.pipeline === def.id && r.source === "live").at(-1);
  if (last) {
    runs.stop(last.run);
    const rec = runs.start(def, { ...last.params });
    console.error(`${name} changed: re-running ${def.id} as ${rec.run}`);
  } else console.error(`${name} changed: reloaded ${def.id}`);
}

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

export async function serveCommand(
  command: "watch" | "replay" | "bundle",
  args: string[],
): Promise<number> {
  if (command === "bundle") {
    if (args.length) throw new UsageError("bundle takes no arguments");
    console.error(`built ${await ensureBundle()}`);
    return 0;
  }
  if (command === "replay") {
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
  const [first, ...others] = args;
  const named = first !== undefined && !first.startsWith("--");
  const f = parseServeFlags(named ? others : args, [
    "--port",
    "--host",
    "--backend",
    "--token",
    "--log-dir",
    "--offline",
    "--speed",
  ]);
  const token = f.token ?? crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const registry = new Map(PIPELINES.map((p) => [p.id, p as Pipeline]));
  const path = talkPath(named ? first : DEFAULT_TALK);
  let talk;
  try {
    talk = await loadTalk(path, [...registry.values()]);
  } catch (e) {
    if (e instanceof TalkError) throw new UsageError(e.message);
    throw e;
  }
  await ensureBundle();
  const { runs, base, talk: state } = serve(
    f,
    () => [...registry.values()],
    token,
    (runs, hub) =>
      new TalkState(talk, runs, hub, {
        pipelines: () => [...registry.values()],
        offline: f.offline ? { speed: f.speed } : null,
      }),
  );
  const past = await runs.loadRecorded();
  console.error(`statmech-live on ${base}: "${talk.title}", ${talk.slides.length} slides`);
  console.error(`  audience:  ${base}`);
  console.error(`  presenter: ${base}?token=${token}`);
  console.error(
    `  ${past} recorded runs in ${f.logDir}${
      f.offline ? " (offline: slides play recordings)" : ""
    }`,
  );
  if (f.host === "127.0.0.1") console.error("  (loopback only; --host 0.0.0.0 to share on a LAN)");
  Deno.addSignalListener("SIGINT", () => {
    runs.stopAll();
    setTimeout(() => Deno.exit(0), 100);
  });
  await watchFiles(registry, runs, { state: state!, path });
  return 0;
}
