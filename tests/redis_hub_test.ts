/**
 * The hub on Redis (issue #23): the in-process hub's contract, run on both hubs; one stream
 * shared by replicas with the same ids, so a viewer resumes on another replica with no gap
 * and no duplicate; bad entries skipped; a Redis restart survived; a bad --hub refused.
 * Each test starts its own redis-server on a free port (tests/helpers/redis.ts); where
 * redis-server is missing the Redis tests are ignored, not passed.
 */
import { assert, assertEquals } from "./assert.ts";
import { Hub, type HubLike, type Message } from "../src/server/hub.ts";
import { idBefore, RedisHub } from "../src/server/redis_hub.ts";
import type { Row } from "../src/runtime/run.ts";
import {
  HAS_REDIS,
  redisTest,
  replicaBase,
  replicaProcess,
  startRedis,
  type TestRedis,
} from "./helpers/redis.ts";
import { SseReader } from "./helpers/sse.ts";

const batch = (run: string, stream: string, seqs: number[]) => ({
  run,
  stream,
  rows: seqs.map((seq) => ({ run, pipeline: "p", stream, seq }) as unknown as Row),
});

/** poll until `ok()` (Redis delivers after a round trip); fail after 5 s naming `what` */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert(ok(), `timed out waiting for ${what}`);
}

const quiet = { log: () => {} };
let keySeq = 0;
/** each test its own stream key, so tests sharing a server do not see each other */
const key = () => `test:${Date.now()}:${keySeq++}`;

const HUBS: [
  string,
  (r: TestRedis | null, o?: { maxRows?: number; key?: string }) => Promise<HubLike>,
][] = [
  ["memory", (_r, o) => Promise.resolve(new Hub(o?.maxRows))],
  [
    "redis",
    (r, o) => RedisHub.connect(r!.url, { ...quiet, key: o?.key ?? key(), maxRows: o?.maxRows }),
  ],
];

for (const [name, make] of HUBS) {
  const needs = name === "redis";
  const test = (title: string, fn: (r: TestRedis | null) => Promise<void>) =>
    Deno.test({
      name: `hub contract (${name}): ${title}`,
      ignore: needs && !HAS_REDIS,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const r = needs ? await startRedis() : null;
        try {
          await fn(r);
        } finally {
          await r?.stop();
        }
      },
    });

  test("a fresh viewer gets the history then live messages, filtered by run and stream", async (r) => {
    const hub = await make(r);
    hub.publish(batch("r1", "q", [0]));
    hub.publish(batch("r2", "q", [0]));
    hub.publish(batch("r1", "cmap", [0, 1]));
    const all: Message[] = [];
    const offAll = hub.subscribe({}, null, (m) => all.push(m));
    await eventually(() => all.length === 3, "the history");
    const got: Message[] = [];
    const off = hub.subscribe(
      { runs: new Set(["r1"]), streams: new Set(["q"]) },
      null,
      (m) => got.push(m),
    );
    hub.publish(batch("r1", "q", [1]));
    hub.publish(batch("r2", "q", [1]));
    await eventually(() => all.length === 5, "the live messages");
    assertEquals(got.map((m) => JSON.parse(m.data).seq), [0, 1]);
    assertEquals(hub.subscribers, 2);
    off();
    offAll();
    assertEquals(hub.subscribers, 0);
    await hub.close();
  });

  test("a viewer resuming after its last id gets every later message once", async (r) => {
    const hub = await make(r);
    const first: Message[] = [];
    const off = hub.subscribe({}, null, (m) => first.push(m));
    for (let i = 0; i < 10; i++) hub.publish(batch("r", "s", [i]));
    await eventually(() => first.length === 10, "ten messages");
    off(); // the viewer drops after ten…
    for (let i = 10; i < 15; i++) hub.publish(batch("r", "s", [i]));
    const resumed: Message[] = [];
    hub.subscribe({}, hub.parseId(String(first.at(-1)!.id)), (m) => resumed.push(m));
    for (let i = 15; i < 20; i++) hub.publish(batch("r", "s", [i]));
    await eventually(() => resumed.length === 10, "the resumed messages");
    const seqs = [...first, ...resumed].map((m) => JSON.parse(m.data).seq);
    assertEquals(seqs, Array.from({ length: 20 }, (_, i) => i));
    await hub.close();
  });

  test("the ring keeps the newest messages within its row budget", async (r) => {
    const hub = await make(r, { maxRows: 50 });
    const seen: Message[] = [];
    hub.subscribe({}, null, (m) => seen.push(m));
    for (let i = 0; i < 100; i++) hub.publish(batch("r", "s", [i]));
    await eventually(() => seen.length === 100, "every message live");
    const replay: Message[] = [];
    hub.subscribe({}, null, (m) => replay.push(m));
    assertEquals(replay.length, 50);
    assertEquals(JSON.parse(replay.at(-1)!.data).seq, 99);
    await hub.close();
  });
}

redisTest(
  "redis hub: two replicas share one stream and its ids; a viewer resumes on the other",
  async (r) => {
    const k = key();
    const a = await RedisHub.connect(r.url, { ...quiet, key: k });
    const b = await RedisHub.connect(r.url, { ...quiet, key: k });
    const onA: Message[] = [], onB: Message[] = [];
    const offA = a.subscribe({}, null, (m) => onA.push(m));
    b.subscribe({}, null, (m) => onB.push(m));
    for (let i = 0; i < 30; i++) (i % 2 ? a : b).publish(batch("r", "s", [i]));
    await eventually(() => onA.length === 30 && onB.length === 30, "both replicas");
    assertEquals(onA.map((m) => m.id), onB.map((m) => m.id));
    for (let i = 1; i < onA.length; i++) {
      assert(
        idBefore(onA[i - 1].id as string, onA[i].id as string),
      );
    }
    // a viewer of A drops at message 12 and comes back on B
    offA();
    const resumed: Message[] = [];
    b.subscribe({}, b.parseId(String(onA[11].id)), (m) => resumed.push(m));
    a.publish(batch("r", "s", [30]));
    await eventually(() => resumed.length === 19, "the rest on B");
    const seqs = [...onA.slice(0, 12), ...resumed].map((m) => JSON.parse(m.data).seq);
    assertEquals(seqs.length, 31);
    assertEquals(new Set(seqs).size, 31, "no duplicate");
    // a replica started later sees the same history
    await eventually(() => onB.length === 31, "B's own viewer to get the last one");
    const c = await RedisHub.connect(r.url, { ...quiet, key: k });
    const onC: Message[] = [];
    c.subscribe({}, null, (m) => onC.push(m));
    assertEquals(onC.map((m) => m.id), onB.map((m) => m.id));
    await Promise.all([a.close(), b.close(), c.close()]);
  },
);

redisTest("redis hub: an entry that is not a batch is logged and skipped", async (r) => {
  const k = key();
  const lines: string[] = [];
  const hub = await RedisHub.connect(r.url, { key: k, log: (l) => lines.push(l) });
  const got: Message[] = [];
  hub.subscribe({}, null, (m) => got.push(m));
  const { Redis } = await import("ioredis");
  const raw = new Redis(r.url);
  await raw.xadd(k, "*", "hello", "world");
  hub.publish(batch("r", "s", [1]));
  await eventually(() => got.length === 1, "the good batch");
  assert(lines.some((l) => l.includes("skipped entry") && l.includes("hello")), lines.join("\n"));
  raw.disconnect();
  await hub.close();
});

redisTest(
  "redis hub: a Redis restart is reported, survived, and later batches still arrive",
  async (r) => {
    const lines: string[] = [];
    const hub = await RedisHub.connect(r.url, { key: key(), log: (l) => lines.push(l) });
    const got: Message[] = [];
    hub.subscribe({}, null, (m) => got.push(m));
    hub.publish(batch("r", "s", [0]));
    await eventually(() => got.length === 1, "the first batch");
    await r.restart(); // no persistence: the stream is gone, the replica must carry on
    await eventually(() => !hub.health().connected, "the hub to notice");
    await eventually(() => hub.health().connected, "the hub to reconnect");
    hub.publish(batch("r", "s", [1]));
    await eventually(() => got.length === 2, "a batch after the restart");
    assert(lines.some((l) => l.includes("reconnecting")), lines.join("\n"));
    await hub.close();
  },
);

Deno.test("watch --hub: a wrong or unreachable URL exits 2 with one line naming it", async () => {
  const main = new URL("../main.ts", import.meta.url).pathname;
  for (
    const [url, message] of [
      [
        "http://127.0.0.1:6379",
        '--hub must be a URL redis://host:port, got "http://127.0.0.1:6379"',
      ],
      ["redis://127.0.0.1:1", "--hub redis://127.0.0.1:1: cannot connect"],
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", main, "watch", "--port", "0", "--log-dir", "none", "--hub", url],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 2, err);
    const first = err.split("\n")[0];
    assert(first.startsWith("error: ") && first.includes(message), err);
    assert(!err.includes("    at "), "no stack trace");
  }
});

redisTest(
  "replicas: a viewer of a killed replica resumes on another by Last-Event-ID, losing nothing",
  async (r, dir) => {
    const start = (name: string) => replicaProcess(r, dir, name);
    const [one, two] = [await start("one"), await start("two")];
    try {
      const base = replicaBase;
      const res = await fetch(`${base(one)}api/runs`, {
        method: "POST",
        headers: { authorization: "Bearer t", "content-type": "application/json" },
        body: JSON.stringify({ pipeline: "phase-diagram", params: { grid: 120 } }),
      });
      assertEquals(res.status, 201);
      const { run } = await res.json();
      // a viewer of replica two reads part of the run, then replica two is killed
      const first = new SseReader(
        (await fetch(`${base(two)}api/events?run=${run}&stream=cell`)).body!,
      );
      await first.until((t) => (t.match(/^id: /gm) ?? []).length >= 5);
      await two.stop("SIGKILL");
      const text = first.text.slice(0, first.text.lastIndexOf("\n\n") + 2); // complete messages only
      const lastId = [...text.matchAll(/^id: (\S+)$/gm)].at(-1)![1];
      const before = [...text.matchAll(/^data: (.*)$/gm)].map((m) =>
        JSON.parse(m[1]).seq as number
      );
      await first.cancel().catch(() => {});
      // …and reconnects to replica one with its last id
      const again = new SseReader(
        (await fetch(`${base(one)}api/events?run=${run}&stream=cell,done`, {
          headers: { "last-event-id": lastId },
        })).body!,
      );
      await again.until((t) => t.includes("event: done"));
      await again.cancel();
      const after = again.rowsOf("cell").map((r) => r.seq as number);
      const seqs = [...before, ...after];
      // every cell row of the run exactly once, in order: 120 × 120 cells
      assertEquals(seqs.length, 120 * 120);
      for (let i = 1; i < seqs.length; i++) assert(seqs[i] > seqs[i - 1], `order at ${i}`);
    } finally {
      await one.stop();
      await two.stop().catch(() => {});
    }
  },
);

redisTest(
  "replicas: the runs list and the talk's live slide are the same on every replica",
  async (r, dir) => {
    const start = (name: string) => replicaProcess(r, dir, name);
    const one = await start("one");
    const two = await start("two");
    const base = replicaBase;
    try {
      // the presenter drives replica one to slide 2; replica two follows
      const res = await fetch(`${base(one)}api/talk/slide`, {
        method: "PUT",
        headers: { authorization: "Bearer t" },
        body: '{"slide": 1}',
      });
      assertEquals(res.status, 200);
      const run = (await res.json()).runs[1] as string;
      let talk: { slide: number; runs: (string | null)[] } = { slide: -1, runs: [] };
      let listed: { run: string; status: string; source: string } | undefined;
      for (let i = 0; i < 300 && !(talk.slide === 1 && listed?.status === "ok"); i++) {
        talk = await (await fetch(`${base(two)}api/talk`)).json();
        listed = (await (await fetch(`${base(two)}api/runs`)).json()).runs.find((
          x: { run: string },
        ) => x.run === run);
        await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(talk.slide, 1, "replica two follows the slide");
      assertEquals(talk.runs[1], run);
      assertEquals(listed?.source, "remote");
      assertEquals(listed?.status, "ok");
      // a third replica started now is on the live slide from its first request
      const three = await start("three");
      try {
        const late = await (await fetch(`${base(three)}api/talk`)).json();
        assertEquals([late.slide, late.runs[1]], [1, run]);
      } finally {
        await three.stop();
      }
      const health = await (await fetch(`${base(two)}api/health`)).json();
      assertEquals([health.hub, health.connected], ["redis", true]);
      // no worker is up: each replica's own stalled-job checker (a BullMQ Worker) is not one,
      // for itself or for the other (the count refreshes every 2 s)
      await new Promise((res) => setTimeout(res, 2500));
      for (const s of [one, two]) {
        assertEquals((await (await fetch(`${base(s)}api/health`)).json()).workers, 0);
      }
    } finally {
      await one.stop();
      await two.stop();
    }
  },
);
