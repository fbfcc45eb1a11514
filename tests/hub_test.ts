import { assert, assertEquals } from "./assert.ts";
import { Hub, type Message } from "../src/server/hub.ts";
import type { Row } from "../src/runtime/run.ts";

const batch = (run: string, stream: string, seqs: number[]) => ({
  run,
  stream,
  rows: seqs.map((seq) => ({ run, pipeline: "p", stream, seq }) as unknown as Row),
});

Deno.test("Hub numbers messages from 1 and serialises each batch as NDJSON once", () => {
  const hub = new Hub();
  const m = hub.publish(batch("r1", "q", [0, 1]));
  assertEquals(m.id, 1);
  assertEquals(m.data.split("\n").map((l) => JSON.parse(l).seq), [0, 1]);
  assertEquals(hub.publish(batch("r1", "q", [2])).id, 2);
});

Deno.test("Hub.subscribe() replays history then delivers live, filtered by run and stream", () => {
  const hub = new Hub();
  hub.publish(batch("r1", "q", [0]));
  hub.publish(batch("r2", "q", [0]));
  hub.publish(batch("r1", "c", [1]));
  const got: Message[] = [];
  const off = hub.subscribe({ runs: new Set(["r1"]) }, null, (m) => got.push(m));
  hub.publish(batch("r1", "q", [2]));
  hub.publish(batch("r2", "q", [1]));
  assertEquals(got.map((m) => m.id), [1, 3, 4]);
  off();
  assertEquals(hub.subscribers, 0);
  hub.publish(batch("r1", "q", [3]));
  assertEquals(got.length, 3);
});

Deno.test("Hub resume from a Last-Event-ID has no gaps and no duplicates", () => {
  const hub = new Hub();
  const first: Message[] = [];
  const off = hub.subscribe({}, null, (m) => first.push(m));
  for (let i = 0; i < 10; i++) hub.publish(batch("r", "q", [i]));
  off(); // the client drops after message 10 …
  for (let i = 10; i < 15; i++) hub.publish(batch("r", "q", [i])); // … and misses 11–15
  const resumed: Message[] = [];
  hub.subscribe({}, first.at(-1)!.id, (m) => resumed.push(m));
  hub.publish(batch("r", "q", [15]));
  const ids = [...first, ...resumed].map((m) => m.id);
  assertEquals(ids, Array.from({ length: 16 }, (_, i) => i + 1));
});

Deno.test("Hub keeps at most maxRows rows in its ring, dropping the oldest messages", () => {
  const hub = new Hub(100);
  for (let i = 0; i < 50; i++) hub.publish(batch("r", "q", [3 * i, 3 * i + 1, 3 * i + 2]));
  const replay: Message[] = [];
  hub.subscribe({}, null, (m) => replay.push(m));
  const rows = replay.reduce((s, m) => s + m.rows, 0);
  assert(rows <= 100 && rows > 90, `ring holds ${rows} rows`);
  assertEquals(replay.at(-1)!.id, 50);
  // contiguous: the ring drops from the old end only
  for (let i = 1; i < replay.length; i++) {
    assertEquals(replay[i].id, (replay[i - 1].id as number) + 1);
  }
});
