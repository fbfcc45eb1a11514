/**
 * The run pool (src/runtime/run_pool.ts): runs computed in Workers give the rows a main-thread
 * run gives, stop at once however busy their loop, end `failed` when their worker dies with
 * every earlier row kept, and wait `queued` beyond the pool's size.
 */
import { firstValueFrom, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { findPipeline } from "../pipelines/mod.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { type Row, type RunOptions, runPipeline } from "../src/runtime/run.ts";
import { registerSource, RunPool, sourceOf } from "../src/runtime/run_pool.ts";
import { Hub } from "../src/server/hub.ts";
import { Runs } from "../src/server/runs.ts";
import { crash, spin, toy } from "./fixtures/pool_pipelines.ts";

const FIXTURES = new URL("./fixtures/pool_pipelines.ts", import.meta.url).href;
for (const def of [toy, spin, crash]) registerSource(def, FIXTURES);

const opts = (
  runId: string,
  params: Record<string, number | string>,
  more: Partial<RunOptions> = {},
) => ({
  params,
  runId,
  backend: "cpu" as const,
  logDir: null,
  ...more,
});

/** Rows without what differs between two runs of the same seed: time and where it computed. */
const comparable = (rows: readonly Row[]) => rows.map(({ seconds: _s, versions: _v, ...r }) => r);

const waitFor = async (cond: () => boolean, what: string, ms = 60_000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const readLog = (dir: string, run: string) =>
  Deno.readTextFileSync(`${dir}/${run}.ndjson`).trim().split("\n").map((l) => JSON.parse(l) as Row);

Deno.test("RunPool.run() gives the same rows, seq for seq, as the run on the main thread", async () => {
  const def = findPipeline("signal-propagation")!;
  const params = resolveRunParams(def, { width: 64, depth: 8 });
  const pool = new RunPool(1, "cpu");
  try {
    const here = await firstValueFrom(runPipeline(def, opts("r-main", params)).pipe(toArray()));
    const there = await firstValueFrom(pool.run(def, opts("r-main", params)).pipe(toArray()));
    assertEquals(comparable(there), comparable(here));
    assert(there.every((r) => Object.isFrozen(r)));
  } finally {
    pool.close();
  }
});

Deno.test("a shardable sweep is split over the pool's workers: the same rows as one thread, seq in arrival order, one done", async () => {
  const def = findPipeline("trainability")!;
  const params = resolveRunParams(def, {
    sigma_w2_points: 3,
    depth_points: 2,
    steps: 5,
    width: 16,
  });
  const pool = new RunPool(2, "cpu");
  try {
    const here = await firstValueFrom(runPipeline(def, opts("r-sweep", params)).pipe(toArray()));
    const split = await firstValueFrom(pool.run(def, opts("r-sweep", params)).pipe(toArray()));
    assertEquals(split.map((r) => r.seq), split.map((_, i) => i));
    assertEquals([split[0].stream, split.at(-1)!.stream], ["meta", "done"]);
    assertEquals(split.filter((r) => r.stream === "done").length, 1);
    assertEquals([split.at(-1)!.status, split.at(-1)!.rows], ["ok", split.length - 1]);
    // two workers, the 6 cells' nets between them
    assertEquals(split.at(-1)!.computed, "float32 wasm-simd (6 nets) on 2 workers");
    // every cell's rows, whichever worker computed them (progress is shard 1's share alone)
    const cells = (rows: readonly Row[]) =>
      rows.filter((r) => !["meta", "done", "progress"].includes(r.stream))
        .map(({ seq: _q, ...r }) => JSON.stringify(r)).sort();
    assertEquals(cells(split), cells(here));
    assert(cells(here).length > 6);
  } finally {
    pool.close();
  }
});

Deno.test("RunPool.run() computes in a Worker, and logs each row on the serving side", async () => {
  const logDir = Deno.makeTempDirSync();
  const pool = new RunPool(2, "cpu");
  try {
    const rows = await firstValueFrom(
      pool.run(toy, opts("r-toy", { n: 5, seed: 1 }, { logDir })).pipe(toArray()),
    );
    assertEquals(rows.map((r) => r.stream), ["meta", "a", "a", "a", "a", "a", "done"]);
    assert(rows.filter((r) => r.stream === "a").every((r) => r.in_worker === true));
    assertEquals(readLog(logDir, "r-toy"), rows.map((r) => JSON.parse(JSON.stringify(r))));
  } finally {
    pool.close();
    Deno.removeSync(logDir, { recursive: true });
  }
});

Deno.test("a stop ends a run whose loop never yields: done 'stopped' after the rows it sent", async () => {
  const logDir = Deno.makeTempDirSync();
  const pool = new RunPool(1, "cpu");
  const stop = new AbortController();
  try {
    const got: Row[] = [];
    const finished = new Promise<void>((resolve) =>
      pool.run(spin, opts("r-spin", { n: 1, seed: 1 }, { logDir, signal: stop.signal }))
        .subscribe({ next: (r) => got.push(r), complete: resolve })
    );
    await waitFor(() => got.some((r) => r.stream === "a"), "the row before the spin");
    stop.abort();
    await finished;
    assertEquals(got.map((r) => r.stream), ["meta", "a", "done"]);
    assertEquals([got[2].status, got[2].seq, got[2].rows], ["stopped", 2, 2]);
    assertEquals(readLog(logDir, "r-spin").map((r) => r.stream), ["meta", "a", "done"]);
    // its worker is gone: the pool's one place is free for the next run
    assert(!pool.full);
  } finally {
    pool.close();
    Deno.removeSync(logDir, { recursive: true });
  }
});

Deno.test("a run whose worker dies ends 'failed' with an error row, every earlier row kept", async () => {
  const logDir = Deno.makeTempDirSync();
  const pool = new RunPool(1, "cpu");
  try {
    const rows = await firstValueFrom(
      pool.run(crash, opts("r-crash", { n: 1, seed: 1 }, { logDir })).pipe(toArray()),
    );
    assertEquals(rows.map((r) => r.stream), ["meta", "a", "error", "done"]);
    assert(String(rows[2].message).includes("boom in the worker"), String(rows[2].message));
    assertEquals([rows[3].status, rows[3].seq], ["failed", 3]);
    assertEquals(readLog(logDir, "r-crash").map((r) => r.stream), ["meta", "a", "error", "done"]);
  } finally {
    pool.close();
    Deno.removeSync(logDir, { recursive: true });
  }
});

Deno.test("Runs beyond the pool wait 'queued', start newest first when a worker frees, and can be stopped while they wait", async () => {
  const pool = new RunPool(1, "cpu");
  const runs = new Runs(new Hub(), { backend: "cpu", logDir: null, pool });
  try {
    const first = runs.start(spin, { n: 1, seed: 1 });
    const second = runs.start(toy, { n: 2, seed: 1 });
    const third = runs.start(toy, { n: 2, seed: 1 });
    assertEquals([first.status, second.status, third.status], ["running", "queued", "queued"]);
    runs.stop(third.run);
    assertEquals(third.status, "stopped"); // it never ran: no worker was used
    const fourth = runs.start(toy, { n: 2, seed: 1 });
    runs.stop(first.run);
    // newest first (the slide on screen): the fourth starts, the second still waits
    assertEquals([second.status, fourth.status], ["queued", "running"]);
    assertEquals((await runs.finished(second.run)).status, "ok");
    assertEquals(second.rows, 4); // meta, two rows, done
    assertEquals(fourth.status, "ok");
  } finally {
    runs.stopAll();
  }
});

Deno.test("a hot-reloaded pipeline runs its new module: the worker imports the registered URL", async () => {
  const dir = Deno.makeTempDirSync();
  const file = `${dir}/changed.ts`;
  // the fixture with one change, as an editor would save it: its rows say they are new
  const text = Deno.readTextFileSync(new URL(FIXTURES)).replaceAll(
    'from "../../src/',
    `from "${new URL("../src/", import.meta.url).href}`,
  ).replace(
    "in_worker: inWorker() } });\n          await",
    "in_worker: false } });\n          await",
  );
  Deno.writeTextFileSync(file, text);
  const pool = new RunPool(1, "cpu");
  try {
    const before = await firstValueFrom(
      pool.run(toy, opts("r-1", { n: 1, seed: 1 })).pipe(toArray()),
    );
    registerSource(toy, `file://${file}?v=2`);
    assertEquals(sourceOf(toy), `file://${file}?v=2`);
    const after = await firstValueFrom(
      pool.run(toy, opts("r-2", { n: 1, seed: 1 })).pipe(toArray()),
    );
    assertEquals([before[1].in_worker, after[1].in_worker], [true, false]);
  } finally {
    registerSource(toy, FIXTURES);
    pool.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("RunPool refuses a size outside [1, 256], naming what is allowed", () => {
  for (const n of [0, 257, 1.5]) {
    try {
      new RunPool(n, "cpu");
      throw new Error(`size ${n} was accepted`);
    } catch (e) {
      assert(String(e).includes("threads must be an integer in [1, 256]"), String(e));
    }
  }
});

// A worker warms its float64 kernel threads before a run asks (run_worker.ts: a Worker started
// from a Worker takes ≈ 0.5 s); a run gets the pool's size of them, and a split sweep's shards,
// which already fill the cores, one each — the warmed threads replaced, not used beside.
Deno.test("a warmed worker's run has the pool's kernel threads, a split sweep's shards one each", async () => {
  const pool = new RunPool(2, "cpu");
  try {
    const iso = findPipeline("isometry")!;
    const one = await firstValueFrom(
      pool.run(iso, opts("r-iso", resolveRunParams(iso, { width: 64, depth: 4 }))).pipe(toArray()),
    );
    assert(String(one[0].compute).includes("f64x2 × 2 threads"), String(one[0].compute));
    assert(
      String(one.at(-1)!.computed).includes("f64x2 × 2 threads"),
      String(one.at(-1)!.computed),
    );
    const gp = findPipeline("nngp")!;
    const params = resolveRunParams(gp, { n_train: 200, n_test: 100, widths: 0, grid_points: 2 });
    const split = await firstValueFrom(pool.run(gp, opts("r-gp", params)).pipe(toArray()));
    assertEquals(split.at(-1)!.status, "ok");
    assert(
      /f64x2 × 1 thread \([\d,]+ jobs\) on 2 workers$/.test(String(split.at(-1)!.computed)),
      String(split.at(-1)!.computed),
    );
  } finally {
    pool.close();
  }
});

// deep-cheap is shardable for its gates part only (`splits`): an rbm run goes whole to one
// worker, which keeps every kernel thread for the sharded CD-1 step (src/cheap/rbm_shards.ts)
Deno.test("a shardable pipeline whose params have no sweep (deep-cheap's rbm part) runs whole, on all kernel threads", async () => {
  const pool = new RunPool(2, "cpu");
  try {
    const dc = findPipeline("deep-cheap")!;
    const params = resolveRunParams(dc, { part: "rbm", size: 16, samples: 100, epochs: 1 });
    const rows = await firstValueFrom(pool.run(dc, opts("r-rbm", params)).pipe(toArray()));
    assertEquals(rows.at(-1)!.status, "ok");
    const computed = String(rows.at(-1)!.computed);
    assert(/data-parallel × 2 threads/.test(computed), computed);
    assert(!/workers$/.test(computed), computed);
  } finally {
    pool.close();
  }
});
