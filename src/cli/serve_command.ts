/**
 * `watch`, `replay` and `bundle`: the server side of the CLI. `watch [talk]`
 * serves the dashboard and a talk, and re-runs what is on screen when a
 * pipeline's file or the talk file changes (hot_reload.ts); `replay` serves a
 * recorded run (or rows piped to standard input) as if live (replay_command.ts);
 * `bundle` only builds the dashboard.
 *
 * @module
 */
import { PIPELINES } from "../../pipelines/mod.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { ensureBundle } from "../server/assets.ts";
import { TalkState } from "../server/talk_state.ts";
import { DEFAULT_TALK, talkPath } from "../talk/talk.ts";
import { loadTalkArg, UsageError } from "./args.ts";
import { watchFiles } from "./hot_reload.ts";
import { replayCommand } from "./replay_command.ts";
import { serve } from "./serve.ts";
import { parseServeFlags } from "./serve_flags.ts";
import { HubUrlError } from "../server/hub_url.ts";
import { RunPool } from "../runtime/run_pool.ts";
import type { HubLike } from "../server/hub.ts";

async function connectHub(url: string): Promise<HubLike> {
  // loaded here: the Redis client is for `watch --hub` only
  const { RedisHub } = await import("../server/redis_hub.ts");
  try {
    return await RedisHub.connect(url);
  } catch (e) {
    if (e instanceof HubUrlError) throw new UsageError(e.message);
    throw e;
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
  if (command === "replay") return await replayCommand(args);
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
    "--hub",
    "--workers",
    "--threads",
  ]);
  const token = f.token ?? crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  const registry = new Map(PIPELINES.map((p) => [p.id, p as Pipeline]));
  const path = talkPath(named ? first : DEFAULT_TALK);
  const talk = await loadTalkArg(path, [...registry.values()]);
  await ensureBundle();
  // an unreachable or wrong hub ends the start with one line naming it (exit 2), never a hang
  const hub = f.hub ? await connectHub(f.hub) : undefined;
  // with a hub, runs go to workers when any are up; a killed worker's run ends `interrupted`
  let interrupt: (run: string, reason: string, status?: "stopped") => void = () => {};
  let stopHere: (run: string) => void = () => {};
  const queue = f.hub
    ? await (await import("../server/run_queue.ts")).RunQueue.connect(
      f.hub,
      f.workers,
      (run, reason, status) => interrupt(run, reason, status),
      (run) => stopHere(run),
    )
    : undefined;
  const { runs, base, talk: state } = serve(
    f,
    () => [...registry.values()],
    token,
    (runs, hub) =>
      new TalkState(talk, runs, hub, {
        pipelines: () => [...registry.values()],
        offline: f.offline ? { speed: f.speed } : null,
      }),
    hub,
    queue,
    new RunPool(f.threads, f.backend),
  );
  interrupt = (run, reason, status) => runs.interrupt(run, reason, status);
  stopHere = (run) => runs.stop(run, true);
  const skipped: string[] = [];
  const past = await runs.loadRecorded((file, why) => skipped.push(`${file} (${why})`));
  console.error(`statmech-live on ${base}: "${talk.title}", ${talk.slides.length} slides`);
  console.error(`  audience:  ${base}`);
  console.error(`  presenter: ${base}?token=${token}`);
  console.error(
    `  ${past} recorded runs in ${f.logDir}${
      f.offline ? " (offline: slides play recordings)" : ""
    }`,
  );
  if (skipped.length) {
    console.error(
      `  skipped ${skipped.length} unreadable log${skipped.length > 1 ? "s" : ""}: ${
        skipped.slice(0, 3).join(", ")
      }${skipped.length > 3 ? ", …" : ""}`,
    );
  }
  console.error(
    `  runs: in up to ${f.threads} workers at once, off the serving thread (--threads)`,
  );
  if (f.host === "127.0.0.1") console.error("  (loopback only; --host 0.0.0.0 to share on a LAN)");
  if (f.hub) {
    console.error(`  hub: ${f.hub} (rows shared with every replica on it)`);
    console.error(
      `  runs: ${f.workers === "always" ? "always on workers" : "on workers when any are up"} (${
        queue!.workers
      } up now; deno task worker --hub ${f.hub})`,
    );
  }
  Deno.addSignalListener("SIGINT", () => {
    runs.stopAll();
    setTimeout(() => Deno.exit(0), 100);
  });
  await watchFiles(registry, runs, { state: state!, path });
  return 0;
}
