/** A statmech-live app for tests: in-process (`app.request`), or served on a free loopback port. */
import { PIPELINES } from "../../pipelines/mod.ts";
import { createApp } from "../../src/server/app.ts";
import { Hub } from "../../src/server/hub.ts";
import { Runs } from "../../src/server/runs.ts";
import { TalkState } from "../../src/server/talk_state.ts";
import { parseTalk } from "../../src/talk/talk.ts";

export interface TestAppOptions {
  token?: string | null;
  heartbeatMs?: number;
  maxBacklogRows?: number;
  /** a fresh temporary directory when left out; null for no logs */
  logDir?: string | null;
  backend?: "cpu" | "wasm";
  batchMs?: number;
  /** a talk file's text, to serve as talk "test" */
  talk?: string;
  /** the talk plays recordings (at 1000× their pace) instead of computing */
  offline?: boolean;
}

export function testApp(opts: TestAppOptions = {}) {
  const logDir = opts.logDir === undefined
    ? Deno.makeTempDirSync({ prefix: "statmech-runs-" })
    : opts.logDir;
  const hub = new Hub();
  const runs = new Runs(hub, { backend: opts.backend ?? "wasm", logDir, batchMs: opts.batchMs });
  const talk = opts.talk
    ? new TalkState(parseTalk(opts.talk, "test", PIPELINES), runs, hub, {
      pipelines: () => PIPELINES,
      offline: opts.offline ? { speed: 1000 } : null,
    })
    : null;
  const app = createApp({
    hub,
    runs,
    pipelines: () => PIPELINES,
    token: opts.token ?? null,
    logDir,
    heartbeatMs: opts.heartbeatMs,
    maxBacklogRows: opts.maxBacklogRows,
    talk,
  });
  return { hub, runs, app, logDir, talk };
}

export interface TestServer {
  base: string;
  hub: Hub;
  runs: Runs;
  logDir: string;
  close(): Promise<void>;
}

export function startServer(
  opts: { token?: string | null; heartbeatMs?: number; maxBacklogRows?: number } = {},
): TestServer {
  const { hub, runs, app, logDir } = testApp(opts);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    hub,
    runs,
    logDir: logDir!,
    async close() {
      runs.stopAll();
      await server.shutdown();
      Deno.removeSync(logDir!, { recursive: true });
    },
  };
}
