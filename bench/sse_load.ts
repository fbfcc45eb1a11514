/**
 * SSE load: N clients on loopback receive a live run of R rows/s through the
 * real server (a separate process). Reports delivery latency (send → client
 * parse) percentiles and the server's RSS over time. Bounded: it stops itself.
 *
 *   deno run -A bench/sse_load.ts [--clients 200] [--rate 1000] [--seconds 20]
 *                                 [--replicas 3] [--kill-at 10] [--compute]
 *
 * With --replicas N (issue #23) it starts a redis-server and N server replicas on it; the
 * first feeds the run, the clients are spread over all N round robin. With --kill-at S, the
 * second replica is killed S seconds in and its clients reconnect to the first with their
 * Last-Event-ID; every client's rows are then checked for gaps and duplicates (seq
 * continuity), which is what "no message lost" means.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    clients: { type: "string", default: "200" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "20" },
    replicas: { type: "string", default: "1" },
    "kill-at": { type: "string" },
    // issue #28: the server also computes nngp (5,000 digits) and diffusion in its run pool
    compute: { type: "boolean", default: false },
  },
});
const CLIENTS = Math.min(2000, Number(values.clients));
const RATE = Math.min(100_000, Number(values.rate));
const SECONDS = Math.min(600, Number(values.seconds));
const REPLICAS = Math.min(8, Math.max(1, Number(values.replicas)));
const KILL_AT = values["kill-at"] === undefined ? null : Number(values["kill-at"]);
const WARMUP_MS = 2000;

let redis: Deno.ChildProcess | null = null;
let redisUrl: string | undefined;
if (REPLICAS > 1 || KILL_AT !== null) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  redis = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  redisUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ port })).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

interface Replica {
  child: Deno.ChildProcess;
  port: number;
  rss: number[];
}
async function startReplica(k: number): Promise<Replica> {
  const args = [
    "run",
    "-A",
    new URL("./sse_load_server.ts", import.meta.url).pathname,
    String(RATE),
  ];
  if (redisUrl) args.push(redisUrl, k === 0 ? "publish" : "serve");
  if (values.compute && k === 0) args.push("--compute");
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  const nextLine = async (): Promise<string> => {
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
  };
  const r: Replica = { child, port: Number((await nextLine()).split("=")[1]), rss: [] };
  (async () => {
    for (;;) {
      const l = await nextLine().catch(() => null);
      if (l === null) return;
      if (l.startsWith("rss=")) r.rss.push(Number(l.slice(4)));
    }
  })();
  return r;
}
const replicas: Replica[] = await Promise.all(
  Array.from({ length: REPLICAS }, (_, k) => startReplica(k)),
);

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
const gaps = new Array(CLIENTS).fill(0), dups = new Array(CLIENTS).fill(0);
const reconnected = new Array(CLIENTS).fill(false);
const start = performance.now();
const measureFrom = performance.timeOrigin + start + WARMUP_MS;
const ROW = /"seq":(\d+),"sent_ms":([0-9.]+)/g;
const ID = /^id: (\S+)$/gm;
if (KILL_AT !== null && REPLICAS > 1) {
  setTimeout(() => replicas[1].child.kill("SIGKILL"), KILL_AT * 1000 + WARMUP_MS);
}

await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => {
  let replica = i % REPLICAS, lastId: string | null = null, lastSeq = -1;
  const end = start + SECONDS * 1000 + WARMUP_MS;
  while (performance.now() < end) {
    let reader: ReadableStreamDefaultReader<string>;
    try {
      const res = await fetch(`http://127.0.0.1:${replicas[replica].port}/api/events?stream=tick`, {
        headers: lastId ? { "last-event-id": lastId } : {},
      });
      reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    } catch {
      replica = 0; // the replica is gone: the others are the round robin's next
      reconnected[i] = true;
      continue;
    }
    const deadline = setTimeout(() => reader.cancel().catch(() => {}), end - performance.now());
    let partial = ""; // a chunk may end mid-message: only whole messages are parsed
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const now = performance.timeOrigin + performance.now();
        const text = partial + value;
        const cut = text.lastIndexOf("\n\n") + 2;
        partial = text.slice(cut);
        const whole = text.slice(0, cut);
        for (const m of whole.matchAll(ROW)) {
          const seq = Number(m[1]);
          if (lastSeq >= 0 && seq > lastSeq + 1) gaps[i] += seq - lastSeq - 1;
          if (seq <= lastSeq) dups[i]++;
          lastSeq = Math.max(lastSeq, seq);
          received[i]++;
          // rows sent after the warm-up: not the history a viewer is handed when it connects
          // (with replicas, what the first one published while the others were starting)
          if (Number(m[2]) > measureFrom) record(now - Number(m[2]));
        }
        const ids = [...whole.matchAll(ID)];
        if (ids.length) lastId = ids.at(-1)![1];
      }
    } catch { /* cancelled at the deadline, or the replica died */ }
    clearTimeout(deadline);
    if (performance.now() < end) {
      replica = 0;
      reconnected[i] = true;
    }
  }
}));
for (const r of replicas) {
  try {
    r.child.kill("SIGTERM");
  } catch { /* already killed */ }
  await r.child.status;
}
redis?.kill("SIGTERM");
await redis?.status;

const mb = (b: number) => (b / 1e6).toFixed(0);
console.log(
  `clients ${CLIENTS} over ${REPLICAS} replica${
    REPLICAS > 1 ? "s (Redis hub)" : ""
  }, ${RATE} rows/s for ${SECONDS} s (+${WARMUP_MS / 1000} s warm-up) on loopback`,
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
if (KILL_AT !== null) {
  const moved = reconnected.filter(Boolean).length;
  console.log(
    `replica 2 killed at ${KILL_AT} s: ${moved} clients reconnected to replica 1 by Last-Event-ID; rows missed ${
      gaps.reduce((a, b) => a + b, 0)
    }, rows twice ${dups.reduce((a, b) => a + b, 0)} (all clients)`,
  );
}
for (const [k, r] of replicas.entries()) {
  if (!r.rss.length) continue;
  const third = Math.max(1, Math.floor(r.rss.length / 3));
  console.log(
    `replica ${k + 1} RSS MB: first ${mb(r.rss[0])}, after 1/3 ${mb(r.rss[third])}, last ${
      mb(r.rss.at(-1)!)
    }, max ${mb(Math.max(...r.rss))}`,
  );
}
