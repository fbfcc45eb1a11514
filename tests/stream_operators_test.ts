import { TestScheduler } from "rxjs/testing";
import { firstValueFrom, from, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { batchByStream } from "../src/server/batch.ts";
import { decimateSeries, SERIES_LIMIT, strideAt } from "../src/server/decimate.ts";
import type { Row } from "../src/runtime/run.ts";

const row = (stream: string, seq: number, extra: Record<string, unknown> = {}) =>
  ({ run: "r", pipeline: "p", stream, seq, ...extra }) as unknown as Row;

const scheduler = () => new TestScheduler((actual, expected) => assertEquals(actual, expected));

Deno.test("batchByStream() groups rows per stream within the window, in order of first arrival", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const a = row("q", 0), b = row("c", 1), c = row("q", 2), d = row("q", 3);
    const src = cold("a b c 6ms d |", { a, b, c, d });
    // a, b, c arrive at 0, 1, 2 ms; the 5 ms window opened by a flushes q=[a, c] and
    // c=[b] together at 5 ms; d arrives at 9 ms and is flushed when the source completes at 10.
    expectObservable(src.pipe(batchByStream(5, 100))).toBe("5ms (xy) - (z|)", {
      x: { run: "r", stream: "q", rows: [a, c] },
      y: { run: "r", stream: "c", rows: [b] },
      z: { run: "r", stream: "q", rows: [d] },
    });
    expectSubscriptions(src.subscriptions).toBe("^ 9ms !");
  });
});

Deno.test("batchByStream() flushes at maxRows and puts done last, alone", () => {
  scheduler().run(({ cold, expectObservable }) => {
    const a = row("q", 0), b = row("q", 1), c = row("c", 2), d = row("done", 3);
    expectObservable(cold("abcd", { a, b, c, d }).pipe(batchByStream(50, 2))).toBe("-x-(yz)", {
      x: { run: "r", stream: "q", rows: [a, b] },
      y: { run: "r", stream: "c", rows: [c] },
      z: { run: "r", stream: "done", rows: [d] },
    });
  });
});

Deno.test("batchByStream() cancels its timer and its source when unsubscribed", () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const src = cold("a---------|", { a: row("q", 0) });
    expectObservable(src.pipe(batchByStream(20, 10)), "^--!").toBe("---");
    expectSubscriptions(src.subscriptions).toBe("^--!");
  });
});

Deno.test("strideAt() passes every row below the limit, then doubles its stride per doubling", () => {
  assertEquals([0, 999].map((n) => strideAt(n, 1000)), [1, 1]);
  assertEquals([1000, 1999, 2000, 3999, 4000].map((n) => strideAt(n, 1000)), [2, 2, 4, 4, 8]);
});

Deno.test("decimateSeries() thins a long series to ~limit·(1 + ½log2(n/limit)) rows, keeps the last, leaves other streams whole", async () => {
  const n = 64 * SERIES_LIMIT;
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) rows.push(row("loss", i, { step: i, source: "simulation" }));
  rows.push(row("summary", n), row("done", n + 1));
  const out = await firstValueFrom(
    from(rows).pipe(
      decimateSeries({
        loss: { doc: "", fields: {}, series: ["source"] },
        summary: { doc: "", fields: {} },
      }),
      toArray(),
    ),
  );
  const loss = out.filter((r) => r.stream === "loss");
  const expected = SERIES_LIMIT * (1 + 0.5 * Math.log2(n / SERIES_LIMIT)); // 4,000 for 64k rows
  assert(Math.abs(loss.length - expected) <= 2, `${loss.length} rows, expected about ${expected}`);
  assertEquals(loss.at(-1)!.step, n - 1); // the newest point is always delivered
  assertEquals(out.at(-1)!.stream, "done");
  assertEquals(out.filter((r) => r.stream === "summary").length, 1);
  // rows stay in order within the series
  for (let i = 1; i < loss.length; i++) {
    assert((loss[i].step as number) > (loss[i - 1].step as number));
  }
});

Deno.test("decimateSeries() treats each value of the series fields as its own series", async () => {
  const rows: Row[] = [];
  for (let i = 0; i < 3000; i++) {
    rows.push(row("m", 2 * i, { source: "theory" }), row("m", 2 * i + 1, { source: "simulation" }));
  }
  const out = await firstValueFrom(
    from(rows).pipe(
      decimateSeries({ m: { doc: "", fields: {}, series: ["source"] } }, 1000),
      toArray(),
    ),
  );
  const th = out.filter((r) => r.source === "theory").length;
  const sim = out.filter((r) => r.source === "simulation").length;
  assertEquals(th, sim);
  assert(th < 3000 && th >= 1000);
});
