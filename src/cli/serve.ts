/**
 * One server: the hub, the runs, the Hono app (with a talk when there is one), bound
 * to the flags' host and port; returns the address to print.
 *
 * @module
 */
import type { Pipeline } from "../runtime/pipeline.ts";
import { createApp } from "../server/app.ts";
import { Hub, type HubLike } from "../server/hub.ts";
import { Runs, type RunSink } from "../server/runs.ts";
import type { TalkState } from "../server/talk_state.ts";
import type { ServeFlags } from "./serve_flags.ts";
import type { RunPool } from "../runtime/run_pool.ts";

export function serve(
  f: ServeFlags,
  pipelines: () => readonly Pipeline[],
  token: string | null,
  talk?: (runs: Runs, hub: HubLike) => TalkState,
  hub: HubLike = new Hub(),
  queue?: RunSink,
  pool?: RunPool,
) {
  // a worker warms ahead of the first run; a server that only plays recordings needs none
  if (!f.offline) pool?.warm();
  const runs = new Runs(hub, { backend: f.backend, logDir: f.logDir, queue, pool });
  const talkState = talk?.(runs, hub) ?? null;
  const app = createApp({ hub, runs, pipelines, token, logDir: f.logDir, talk: talkState });
  const server = Deno.serve({ hostname: f.host, port: f.port, onListen: () => {} }, app.fetch);
  const shown = f.host === "0.0.0.0" || f.host === "::" ? "localhost" : f.host;
  const base = `http://${shown.includes(":") ? `[${shown}]` : shown}:${server.addr.port}/`;
  return { hub, runs, server, base, talk: talkState };
}
