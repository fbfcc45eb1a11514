/**
 * A sweep split into shards (issue #23) gives the same rows as the whole run: every shardable
 * pipeline, run whole and as 2 and 3 shards through the runtime (no Redis: the shards' rows are
 * what workers would publish), compared stream by stream without the envelope. Also the
 * shards' seq numbers never collide, only shard 0 writes meta, and each ends with a shard row.
 */
import { firstValueFrom, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { type Row, runPipeline, SHARD_STREAM } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

const SMALL: Record<string, Record<string, number | string>> = {
  "phase-diagram": { grid: 12 },
  trainability: { sigma_w2_points: 3, depth_points: 2, depth_max: 20, steps: 20, width: 16 },
  nngp: { n_train: 40, n_test: 40, widths: 0, grid_points: 3, grid_depth: 5, depth: 3 },
  "deep-cheap": { part: "gates", n: 3, steps: 20, train_size: 64 },
  "critical-gain": { gains: 3, depth: 3, width: 16, steps: 60, batch: 8 },
};
/** rows that differ by construction between a whole run and its shards */
const RUNTIME = new Set(["meta", "progress", "done", SHARD_STREAM]);

async function rows(id: string, shard?: { index: number; count: number }): Promise<Row[]> {
  const def = PIPELINES.find((p) => p.id === id)!;
  return await firstValueFrom(
    runPipeline(def, {
      params: resolveRunParams(def, SMALL[id]),
      runId: "r",
      backend: "cpu",
      logDir: null,
      shard,
    }).pipe(toArray()),
  );
}

const content = (all: Row[]) =>
  all.filter((r) => !RUNTIME.has(r.stream)).map((r) => {
    const { run: _r, seq: _s, ...rest } = r;
    return JSON.stringify(rest);
  }).sort();

Deno.test("shardable pipelines are the ones listed here", () => {
  assertEquals(
    PIPELINES.filter((p) => p.shardable).map((p) => p.id).sort(),
    Object.keys(SMALL).sort(),
  );
});

for (const id of Object.keys(SMALL)) {
  Deno.test(`${id}: split into 2 or 3 shards, the same rows as whole`, async () => {
    const whole = await rows(id);
    assertEquals(whole.at(-1)!.status, "ok");
    for (const count of [2, 3]) {
      const shards = await Promise.all(
        Array.from({ length: count }, (_, index) => rows(id, { index, count })),
      );
      const all = shards.flat();
      assertEquals(content(all), content(whole), `${count} shards`);
      assertEquals(all.filter((r) => r.stream === "meta").length, 1, "one meta (shard 0's)");
      assert(all.every((r) => r.stream !== "done"), "no shard writes done");
      const ends = all.filter((r) => r.stream === SHARD_STREAM);
      assertEquals(ends.map((r) => r.index).sort(), Array.from({ length: count }, (_, i) => i));
      assert(ends.every((r) => r.status === "ok" && r.count === count));
      const seqs = all.map((r) => r.seq);
      assertEquals(new Set(seqs).size, seqs.length, "no seq twice");
    }
  });
}
