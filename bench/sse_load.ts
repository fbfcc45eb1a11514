/**
 * SSE load: N clients on loopback receive a live run of R rows/s through the
 * real server (a separate process). Reports delivery latency (send → client
 * parse) percentiles and the server's RSS over time. Bounded: it stops itself.
 *
 *   deno run -A bench/sse_load.ts [--clients 200] [--rate 1000] [--seconds 20]
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "200" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
  },
});
const CLIENTS = Math.min(2000, Number(values.clients));
const RATE = Math.min(100_000, Number(values.rate));
const SECONDS = Math.min(600, Number(values.seconds));
const WARMUP_MS = 2000;

const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("./sse_load_server.ts", import.meta.url).pathname, String(RATE)],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const lines = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
let buffered = "";
const rss: number[] = [];
async function nextLine(): Promise<string> {
  for (;;) {
    const nl = buffered.indexOf("\n");
    if (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      return line;
    }
    const { value, done } = await lines.read();
    if (done) throw new Error("server exited");
    buffered += value;
  }
}
const port = Number((await nextLine()).split("=")[1]);
(async () => {
  for (;;) {
    const l = await nextLine().catch(() => null);
    if (l === null) return;
    if (l.startsWith("rss=")) rss.push(Number(l.slice(4)));
  }
})();

// Latency histogram in 0.1 ms bins up to 10 s: bounded memory however long the soak.
const BIN_MS = 0.1;
const hist = new Uint32Array(100_000);
let deliveries = 0;
let maxLatency = 0;
function record(ms: number) {
  hist[Math.min(hist.length - 1, Math.max(0, Math.floor(ms / BIN_MS)))]++;
  deliveries++;
  maxLatency = Math.max(maxLatency, ms);
}
function percentile(p: number): number {
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= (p / 100) * deliveries) return (i + 1) * BIN_MS;
  }
  return maxLatency;
}
const received = new Array(CLIENTS).fill(0);
const start = performance.now();
const stop = new AbortController();
const SENT = /"sent_ms":([0-9.]+)/g;

await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
  const res = await fetch(`http://127.0.0.1:${port}/api/events?stream=tick`, {
    signal: stop.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => reader.cancel().catch(() => {}), SECONDS * 1000 + WARMUP_MS);
  let partial = ""; // a chunk may end mid-line: only whole lines are parsed
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const now = performance.timeOrigin + performance.now();
      const measuring = performance.now() - start > WARMUP_MS;
      const text = partial + value;
      const cut = text.lastIndexOf("\n") + 1;
      partial = text.slice(cut);
      for (const m of text.slice(0, cut).matchAll(SENT)) {
        received[i]++;
        if (measuring) record(now - Number(m[1]));
      }
    }
  } catch { /* cancelled at the deadline */ }
  clearTimeout(deadline);
}));
server.kill("SIGTERM");
await server.status;

const mb = (b: number) => (b / 1e6).toFixed(0);
console.log(
  `clients ${CLIENTS}, ${RATE} rows/s for ${SECONDS} s (+${
    WARMUP_MS / 1000
  } s warm-up) on loopback`,
);
console.log(
  `rows delivered per client: min ${Math.min(...received)}, max ${
    Math.max(...received)
  } (expected ≈ ${RATE * (SECONDS + WARMUP_MS / 1000)})`,
);
console.log(
  `latency ms: p50 ${percentile(50).toFixed(1)}, p99 ${percentile(99).toFixed(1)}, max ${
    maxLatency.toFixed(1)
  } over ${deliveries} deliveries`,
);
const third = Math.max(1, Math.floor(rss.length / 3));
console.log(
  `server RSS MB: first ${mb(rss[0])}, after 1/3 ${mb(rss[third])}, last ${mb(rss.at(-1)!)}, max ${
    mb(Math.max(...rss))
  }`,
);
