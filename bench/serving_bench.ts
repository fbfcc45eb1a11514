/**
 * Issue #28's serving benchmark: while `watch` computes `nngp --n-train 5000` and a default
 * `diffusion` (each in its own worker), how long does the server take to answer? A request to
 * /api/health every 0.25 s, and an SSE client timing each heartbeat-free gap, for up to
 * LIMIT_S seconds or until both runs end. Before the pool (the runs on the serving thread)
 * the same probe measured p50 5.5 s and max 20.2 s for the nngp run alone (issue #28).
 *
 *   deno run -A bench/serving_bench.ts
 */
import { serveProcess } from "../tests/helpers/serve_process.ts";

const LIMIT_S = 240;
const PERIOD_MS = 250;

const logDir = Deno.makeTempDirSync();
const server = await serveProcess(
  ["watch", "--port", "0", "--token", "bench", "--log-dir", logDir],
  /presenter: (\S+)/,
);
const base = server.banner.match(/audience:\s+(\S+)/)![1];
try {
  const start = async (pipeline: string, params: Record<string, number>) => {
    const res = await fetch(`${base}api/runs`, {
      method: "POST",
      headers: { authorization: "Bearer bench", "content-type": "application/json" },
      body: JSON.stringify({ pipeline, params }),
    });
    return ((await res.json()) as { run: string }).run;
  };
  const runs = [await start("nngp", { n_train: 5000 }), await start("diffusion", {})];
  const latencies: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const t = performance.now();
    await (await fetch(`${base}api/health`)).arrayBuffer();
    latencies.push(performance.now() - t);
    const list = (await (await fetch(`${base}api/runs`)).json()).runs as {
      run: string;
      status: string;
    }[];
    const live = list.filter((r) =>
      runs.includes(r.run) && ["running", "queued"].includes(r.status)
    );
    if (live.length === 0 || performance.now() - t0 > LIMIT_S * 1000) break;
    await new Promise((r) => setTimeout(r, PERIOD_MS));
  }
  const ended = ((await (await fetch(`${base}api/runs`)).json()).runs as {
    run: string;
    pipeline: string;
    status: string;
    seconds: number | null;
  }[]).filter((r) => runs.includes(r.run));
  console.log(
    ended.map((r) =>
      `${r.pipeline}: ${r.status}${r.seconds ? ` in ${r.seconds.toFixed(0)} s` : ""}`
    )
      .join("; "),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  console.log(
    `/api/health while nngp (5,000) and diffusion compute, ${latencies.length} requests over ${
      ((performance.now() - t0) / 1000).toFixed(0)
    } s: p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${
      latencies.at(-1)!.toFixed(1)
    } ms; target p99 < 100 ms (before: p50 5,500 ms, max 20,200 ms)`,
  );
} finally {
  await server.stop();
  Deno.removeSync(logDir, { recursive: true });
}
