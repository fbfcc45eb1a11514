/** An in-process statmech-live server on a free loopback port, for tests. */
import { PIPELINES } from "../../pipelines/mod.ts";
import { createApp } from "../../src/server/app.ts";
import { Hub } from "../../src/server/hub.ts";
import { Runs } from "../../src/server/runs.ts";

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
  const logDir = Deno.makeTempDirSync({ prefix: "statmech-runs-" });
  const hub = new Hub();
  const runs = new Runs(hub, { backend: "wasm", logDir });
  const app = createApp({
    hub,
    runs,
    pipelines: () => PIPELINES,
    token: opts.token ?? null,
    logDir,
    heartbeatMs: opts.heartbeatMs,
    maxBacklogRows: opts.maxBacklogRows,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    hub,
    runs,
    logDir,
    async close() {
      runs.stopAll();
      await server.shutdown();
      Deno.removeSync(logDir, { recursive: true });
    },
  };
}
