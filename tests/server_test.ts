import { assert, assertEquals } from "./assert.ts";
import { tokensEqual } from "../src/server/token.ts";
import { Runs } from "../src/server/runs.ts";
import { Hub } from "../src/server/hub.ts";
import type { Row } from "../src/runtime/run.ts";
import { SseReader } from "./helpers/sse.ts";
import { startServer, testApp } from "./helpers/server.ts";
import { createApp } from "../src/server/app.ts";

const appWith = (opts: { token?: string; heartbeatMs?: number; maxBacklogRows?: number } = {}) =>
  testApp({ backend: "cpu", logDir: null, ...opts });

const rows = (stream: string, seqs: number[]) => ({
  run: "r1",
  stream,
  rows: seqs.map((seq) =>
    ({ run: "r1", pipeline: "p", stream, seq, x: seq / 2 }) as unknown as Row
  ),
});

const tick = () => new Promise((r) => setTimeout(r, 10));

Deno.test("GET /api/events frames one batch as one message: event, one data line per row, id", async () => {
  const { hub, app } = appWith();
  hub.publish(rows("qmap", [0, 1]));
  const res = await app.request("/api/events");
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream");
  assertEquals(res.headers.get("x-accel-buffering"), "no");
  assert(res.headers.get("cache-control")!.includes("no-cache"));
  const sse = new SseReader(res.body!);
  const text = await sse.until((t) => t.includes("id: 1\n\n"));
  assertEquals(
    text,
    ": statmech-live\n\n" +
      "event: qmap\n" +
      'data: {"run":"r1","pipeline":"p","stream":"qmap","seq":0,"x":0}\n' +
      'data: {"run":"r1","pipeline":"p","stream":"qmap","seq":1,"x":0.5}\n' +
      "id: 1\n\n",
  );
  await sse.cancel();
});

Deno.test("GET /api/events with Last-Event-ID resumes after that id: no gaps, no duplicates", async () => {
  const { hub, app } = appWith();
  for (let i = 0; i < 5; i++) hub.publish(rows("q", [i]));
  const res = await app.request("/api/events", { headers: { "last-event-id": "2" } });
  const sse = new SseReader(res.body!);
  await sse.until((t) => t.includes("id: 5\n\n"));
  hub.publish(rows("q", [5]));
  await sse.until((t) => t.includes("id: 6\n\n"));
  assertEquals(sse.ids(), [3, 4, 5, 6]);
  await sse.cancel();
});

Deno.test("GET /api/events filters by run and stream", async () => {
  const { hub, app } = appWith();
  hub.publish(rows("a", [0]));
  hub.publish({
    ...rows("a", [0]),
    run: "r2",
    rows: [{ run: "r2", pipeline: "p", stream: "a", seq: 0 } as unknown as Row],
  });
  hub.publish(rows("b", [1]));
  hub.publish(rows("a", [2]));
  const sse = new SseReader((await app.request("/api/events?run=r1&stream=a")).body!);
  await sse.until((t) => t.includes("id: 4\n\n"));
  assertEquals(sse.ids(), [1, 4]);
  await sse.cancel();
});

Deno.test("GET /api/events sends heartbeat comments while idle", async () => {
  const { app } = appWith({ heartbeatMs: 20 });
  const sse = new SseReader((await app.request("/api/events")).body!);
  await sse.until((t) => (t.match(/: heartbeat\n\n/g) ?? []).length >= 2);
  await sse.cancel();
});

Deno.test("GET /api/events tears its subscription and timer down when the client goes", async () => {
  const { hub, app } = appWith({ heartbeatMs: 5 });
  const readers = await Promise.all(
    [0, 1, 2].map(async () => new SseReader((await app.request("/api/events")).body!)),
  );
  await Promise.all(readers.map((r) => r.until((t) => t.startsWith(": statmech-live"))));
  assertEquals(hub.subscribers, 3);
  for (const r of readers) await r.cancel();
  for (let i = 0; i < 50 && hub.subscribers > 0; i++) await tick();
  assertEquals(hub.subscribers, 0);
  hub.publish(rows("q", [0])); // nobody left to deliver to: no error
});

Deno.test("GET /api/events drops a viewer whose backlog overflows instead of buffering without bound", async () => {
  const { hub, app } = appWith({ maxBacklogRows: 10 });
  const res = await app.request("/api/events");
  const reader = res.body!.getReader(); // never read: a stalled client
  await reader.read(); // the first comment
  for (let i = 0; i < 30; i++) hub.publish(rows("q", [i]));
  for (let i = 0; i < 50 && hub.subscribers > 0; i++) await tick();
  assertEquals(hub.subscribers, 0);
  await reader.cancel();
});

Deno.test("POST /api/runs names the bad param with 400, and refuses bad bodies", async () => {
  const { app } = appWith();
  const post = (body: string) =>
    app.request("/api/runs", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
  const cases: [string, number, string, string | undefined][] = [
    ["{not json", 400, "body must be JSON", undefined],
    ["[1,2]", 400, "body must be a JSON object", undefined],
    [
      '{"pipeline":"nope"}',
      400,
      'unknown pipeline "nope"; available: signal-propagation, phase-diagram',
      "pipeline",
    ],
    [
      '{"pipeline":"signal-propagation","params":{"sigma_w2":-1}}',
      400,
      "sigma_w2 must be a number in [0.01, 10], got -1",
      "sigma_w2",
    ],
    [
      '{"pipeline":"signal-propagation","params":{"depth":"deep"}}',
      400,
      'depth must be an integer in [1, 1000], got "deep"',
      "depth",
    ],
    [
      '{"pipeline":"signal-propagation","params":{"colour":1}}',
      400,
      "colour is not a param",
      "colour",
    ],
    [
      '{"pipeline":"signal-propagation","params":[]}',
      400,
      "params must be a JSON object",
      "params",
    ],
    [
      '{"pipeline":"phase-diagram","params":{"sigma_w2_min":3,"sigma_w2_max":2}}',
      400,
      "sigma_w2_min must be below sigma_w2_max",
      "sigma_w2_min",
    ],
  ];
  for (const [body, status, error, param] of cases) {
    const res = await post(body);
    const json = await res.json();
    assertEquals(res.status, status, body);
    assert(json.error.includes(error), `${body}: ${json.error}`);
    assertEquals(json.param, param);
  }
  const big = await post(
    JSON.stringify({ pipeline: "signal-propagation", pad: "x".repeat(70_000) }),
  );
  assertEquals(big.status, 413);
});

Deno.test("start and stop need the presenter token when one is set: 401 without, 403 wrong", async () => {
  const { app } = appWith({ token: "t0k" });
  const body = JSON.stringify({ pipeline: "signal-propagation", params: { depth: 1, width: 8 } });
  assertEquals((await app.request("/api/runs", { method: "POST", body })).status, 401);
  assertEquals(
    (await app.request("/api/runs", {
      method: "POST",
      body,
      headers: { authorization: "Bearer nope" },
    })).status,
    403,
  );
  assertEquals((await app.request("/api/runs/x", { method: "DELETE" })).status, 401);
  assertEquals((await app.request("/api/pipelines")).status, 200); // viewing is open
});

Deno.test("unknown routes, runs and files are 404 with a message; paths never reach the file system", async () => {
  const { app } = appWith();
  for (
    const path of [
      "/api/runs/nope",
      "/api/nothing",
      "/../deno.json",
      "/%2e%2e/main.ts",
      "/dist/app.js",
      "/api/runs/..%2f..%2fdeno/events.ndjson",
      "/api/runs/..%2f..%2fdeno/rows.csv",
    ]
  ) {
    const res = await app.request(path);
    assertEquals(res.status, 404, path);
    assert((await res.json()).error, path);
  }
  assertEquals((await app.request("/api/runs/nope", { method: "DELETE" })).status, 404);
});

Deno.test("GET /api/pipelines describes params as JSON Schema with seed added", async () => {
  const { app } = appWith();
  const { pipelines } = await (await app.request("/api/pipelines")).json();
  const sp = pipelines.find((p: { id: string }) => p.id === "signal-propagation");
  assertEquals(sp.params.properties.sigma_w2.default, 1.5);
  assertEquals(sp.params.properties.seed.type, "integer");
  assertEquals(Object.keys(sp.streams), ["qmap", "cmap", "fixed-point"]);
});

Deno.test({
  name:
    "a run over HTTP: 201, its rows on SSE and as NDJSON (meta first, done last), stoppable with DELETE",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const srv = startServer({ heartbeatMs: 50 });
    try {
      const post = (params: Record<string, unknown>) =>
        fetch(`${srv.base}/api/runs`, {
          method: "POST",
          body: JSON.stringify({ pipeline: "phase-diagram", params }),
        });
      // A long run (150×150 cells ≈ 3 s of float64 work) …
      const res = await post({ grid: 150 });
      assertEquals(res.status, 201);
      const { run } = await res.json();
      // … while a viewer's heartbeats keep arriving: the computation yields to the event loop.
      const events = await fetch(`${srv.base}/api/events?run=${run}&stream=cell,done`);
      const sse = new SseReader(events.body!);
      const t0 = performance.now();
      let last = t0, maxGap = 0, beats = 0;
      while (beats < 10) {
        const before = sse.text.length;
        await sse.until((t) => t.length > before);
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        beats = (sse.text.match(/: heartbeat/g) ?? []).length;
      }
      // Heartbeats are due every 50 ms; the pipeline yields every 15 ms of work. A gap of
      // a second would mean the loop was starved (tolerant of a busy 2-core CI machine).
      assert(maxGap < 1000, `longest silence ${maxGap.toFixed(0)} ms`);
      const stop = await fetch(`${srv.base}/api/runs/${run}`, { method: "DELETE" });
      assertEquals(stop.status, 200);
      await stop.body?.cancel();
      await sse.until((t) => t.includes("event: done"));
      const done = sse.rows().find((r) => r.stream === "done")!;
      assertEquals(done.status, "stopped");
      await sse.cancel();
      const info = await (await fetch(`${srv.base}/api/runs/${run}`)).json();
      assertEquals(info.status, "stopped");
      const ndjson = await (await fetch(`${srv.base}/api/runs/${run}/events.ndjson`)).text();
      const logged = ndjson.trim().split("\n").map((l) => JSON.parse(l));
      assertEquals(logged[0].stream, "meta");
      assertEquals(logged.at(-1).stream, "done");
      assertEquals(logged.map((r) => r.seq), logged.map((_, i) => i));
    } finally {
      await srv.close();
    }
  },
});

Deno.test("tokensEqual(): equal only for the same token, whatever the lengths", () => {
  assert(tokensEqual("s3cret-token", "s3cret-token"));
  for (const wrong of ["", "s3cret", "s3cret-token!", "S3cret-token", "x".repeat(12)]) {
    assert(!tokensEqual(wrong, "s3cret-token"), wrong);
  }
  assert(!tokensEqual("anything", ""));
});

Deno.test("GET /api/talk without a talk is 204, not a missing resource", async () => {
  const { app } = testApp();
  const res = await app.request("/api/talk");
  assertEquals(res.status, 204);
  assertEquals(await res.text(), "");
});

Deno.test("Runs.loadRecorded() skips an unreadable log and says which, keeping the rest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const good = "20260101T000000000-aaaaaa";
    const rows = [
      { run: good, pipeline: "phase-diagram", stream: "meta", seq: 0, grid: 2 },
      {
        run: good,
        pipeline: "phase-diagram",
        stream: "done",
        seq: 1,
        status: "ok",
        seconds: 1,
        rows: 1,
      },
    ];
    await Deno.writeTextFile(
      `${dir}/${good}.ndjson`,
      rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
    );
    await Deno.writeTextFile(`${dir}/20260101T000000000-bbbbbb.ndjson`, "not json\n");
    const skipped: string[] = [];
    const runs = new Runs(new Hub(), { backend: "cpu", logDir: dir });
    assertEquals(await runs.loadRecorded((file, why) => skipped.push(`${file}: ${why}`)), 1);
    assertEquals(skipped, ["20260101T000000000-bbbbbb.ndjson: no meta row in its first 64 KiB"]);
    assertEquals(runs.get(good)?.status, "ok");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an error inside any route group is a 500 with a JSON body, and the server keeps answering", async () => {
  const hub = new Hub();
  const runs = new Runs(hub, { backend: "cpu", logDir: null });
  let broken = true;
  const app = createApp({
    hub,
    runs,
    pipelines: () => {
      if (broken) throw new Error("a pipeline registry that fails");
      return [];
    },
    token: null,
    logDir: null,
  });
  const quiet = console.error;
  console.error = () => {}; // the server logs the stack; the test needs only the answer
  try {
    for (const [method, path] of [["GET", "/api/pipelines"], ["POST", "/api/runs"]]) {
      const res = await app.request(path, {
        method,
        body: method === "POST" ? '{"pipeline": "x"}' : undefined,
      });
      assertEquals(res.status, 500, `${method} ${path}`);
      assertEquals(await res.json(), { error: "internal error" });
    }
  } finally {
    console.error = quiet;
  }
  broken = false;
  assertEquals((await app.request("/api/pipelines")).status, 200);
  assertEquals((await app.request("/no/such/thing")).status, 404);
});
