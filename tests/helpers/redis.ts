/**
 * A throwaway redis-server for tests: on a free port, in a temp dir, no persistence; stopped
 * (and its dir removed) by `stop`. Where redis-server is not installed the tests that need it
 * are reported as ignored (`HAS_REDIS`), never as passed.
 */
import { serveProcess } from "./serve_process.ts";
export const HAS_REDIS = (() => {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  /** stop and start again on the same port (a Redis restart) */
  restart(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitFor(port: number, up: boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      c.close();
      if (up) return;
    } catch {
      if (!up) return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server on ${port} did not come ${up ? "up" : "down"}`);
}

export async function startRedis(): Promise<TestRedis> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "statmech-redis-" });
  let child: Deno.ChildProcess;
  const spawn = async () => {
    child = new Deno.Command("redis-server", {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    await waitFor(port, true);
  };
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await waitFor(port, false);
  };
  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
    async restart() {
      await kill();
      await spawn();
    },
  };
}

/**
 * A test with its own redis-server and temp dir (both removed after); reported as ignored
 * where redis-server is missing. Sanitizers off: Redis clients keep timers and sockets of
 * their own that outlive a test by a tick.
 */
export function redisTest(name: string, fn: (r: TestRedis, dir: string) => Promise<void>): void {
  Deno.test({
    name,
    ignore: !HAS_REDIS,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const r = await startRedis();
      const dir = await Deno.makeTempDir({ prefix: "statmech-redis-test-" });
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // a wait that never ends (a replica never ready, a done row never sent) fails the
        // test instead of hanging the suite
        await Promise.race([
          fn(r, dir),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`${name}: no end after 180 s`)), 180_000);
          }),
        ]);
      } finally {
        clearTimeout(timer);
        await r.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}

/** `watch --hub` in its own process, logging to dir/name; ready once it says how many workers are up */
export function replicaProcess(r: TestRedis, dir: string, name: string) {
  return serveProcess(
    ["watch", "--port", "0", "--token", "t", "--log-dir", `${dir}/${name}`, "--hub", r.url],
    /runs: .*up now/,
  );
}

/** a replica's audience URL, from its banner */
export const replicaBase = (s: { banner: string }) => s.banner.match(/audience: +(\S+)/)![1];
