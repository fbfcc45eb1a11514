/**
 * `watch`, `replay` and `bundle`: the server side of the CLI. `watch` serves
 * the dashboard and re-runs a pipeline when its file changes; `replay` serves
 * a recorded run as if live; `bundle` only builds the dashboard.
 *
 * @module
 */
import { PIPELINES } from "../../pipelines/mod.ts";
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { createApp } from "../server/app.ts";
import { ensureBundle } from "../server/assets.ts";
import { Hub } from "../server/hub.ts";
import { paced, parseRows } from "../server/replay.ts";
import { Runs } from "../server/runs.ts";
import { flagPairs, UsageError } from "./args.ts";

interface ServeFlags {
  port: number;
  host: string;
  backend: BackendChoice;
  token: string | null;
  logDir: string;
  rate: number;
}

function parseServeFlags(tokens: string[], allowed: readonly string[]): ServeFlags {
  const f: ServeFlags = {
    port: 8000,
    host: "127.0.0.1",
    backend: "auto",
    token: null,
    logDir: "data/runs",
    rate: 200,
  };
  for (const [flag, value] of flagPairs(tokens)) {
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
    }
  }
  return f;
}

function serve(f: ServeFlags, pipelines: () => readonly Pipeline[], token: string | null) {
  const hub = new Hub();
  const runs = new Runs(hub, { backend: f.backend, logDir: f.logDir });
  const app = createApp({ hub, runs, pipelines, token, logDir: f.logDir });
  const server = Deno.serve({ hostname: f.host, port: f.port, onListen: () => {} }, app.fetch);
  const shown = f.host === "0.0.0.0" || f.host === "::" ? "localhost" : f.host;
  const base = `http://${shown.includes(":") ? `[${shown}]` : shown}:${server.addr.port}/`;
  return { hub, runs, server, base };
}

/** Re-import changed pipeline files and re-run their latest run with the same params. */
async function watchPipelines(
  registry: Map<string, Pipeline>,
  runs: Runs,
): Promise<void> {
  const dir = new URL("../../pipelines/", import.meta.url);
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  for await (const ev of Deno.watchFs(dir.pathname)) {
    for (const path of ev.paths) {
      const name = path.split("/").pop() ?? "";
      if (!name.endsWith(".ts") || name === "mod.ts") continue;
      clearTimeout(timers.get(path));
      timers.set(
        path,
        setTimeout(async () => {
          try {
            const mod = await import(`${new URL(name, dir)}?v=${Date.now()}`);
            const def = mod.default as Pipeline;
            registry.set(def.id, def);
            const last = runs.list().filter((r) => r.pipeline === def.id && r.source === "live").at(
              -1,
            );
            if (last) {
              runs.stop(last.run);
              const rec = runs.start(def, { ...last.params });
              console.error(`${name} changed: re-running ${def.id} as ${rec.run}`);
            } else console.error(`${name} changed: reloaded ${def.id}`);
          } catch (e) {
            console.error(
              `${name} changed but failed to load: ${e instanceof Error ? e.message : e}`,
            );
          }
        }, 150),
      );
    }
  }
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
    if (!file || file.startsWith("--")) {
      throw new UsageError("replay needs a file: deno task replay <file.ndjson>");
    }
    const f = parseServeFlags(rest, ["--port", "--host", "--rate"]);
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${e instanceof Error ? e.message : e}`);
    }
    const rows = parseRows(text);
    if (!rows.length) throw new UsageError(`${file} holds no rows (NDJSON with run, stream, seq)`);
    const meta = rows.find((r) => r.stream === "meta");
    const id = rows[0].run;
    const def = PIPELINES.find((p) => p.id === rows[0].pipeline);
    await ensureBundle();
    const { runs, base } = serve(
      { ...f, logDir: "data/runs", backend: "cpu" },
      () => PIPELINES,
      crypto.randomUUID(),
    );
    const params: Record<string, number | string> = {};
    if (meta && def) {
      for (const k of Object.keys(def.params)) {
        if (k in meta) params[k] = meta[k] as number | string;
      }
    }
    runs.replay(
      id,
      rows[0].pipeline,
      params,
      def?.streams ?? {},
      paced(rows.filter((r) => r.run === id), f.rate),
    );
    console.error(`replaying ${rows.length} rows of ${id} at ${f.rate} rows/s: ${base}#run=${id}`);
    await new Promise(() => {}); // serve until Ctrl-C
    return 0;
  }
  const f = parseServeFlags(args, ["--port", "--host", "--backend", "--token", "--log-dir"]);
  const token = f.token ?? crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  await ensureBundle();
  const registry = new Map(PIPELINES.map((p) => [p.id, p as Pipeline]));
  const { runs, base } = serve(f, () => [...registry.values()], token);
  console.error(`statmech-live on ${base}`);
  console.error(`  audience:  ${base}`);
  console.error(`  presenter: ${base}?token=${token}`);
  if (f.host === "127.0.0.1") console.error("  (loopback only; --host 0.0.0.0 to share on a LAN)");
  Deno.addSignalListener("SIGINT", () => {
    runs.stopAll();
    setTimeout(() => Deno.exit(0), 100);
  });
  await watchPipelines(registry, runs);
  return 0;
}
