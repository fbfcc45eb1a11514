/** The runtime: envelope, meta/done/error rows, the non-finite guard, stopping, and the log. */
import { concat, firstValueFrom, NEVER, Observable, of, throwError, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { definePipeline, type Emit, type RunContext, RunError } from "../src/runtime/pipeline.ts";
import { type Row, runPipeline } from "../src/runtime/run.ts";

const toy = (rows: (p: unknown, ctx: RunContext) => Observable<Emit>) =>
  definePipeline({
    id: "toy",
    title: "Toy",
    cite: "none",
    description: "",
    params: { n: { kind: "number", default: 2, min: 0, max: 10, help: "n" } },
    streams: { a: { doc: "", fields: { x: "x" } } },
    panels: [],
    run: rows,
  });

const run = (def: ReturnType<typeof toy>, extra: { logDir?: string; signal?: AbortSignal } = {}) =>
  firstValueFrom(
    runPipeline(def, {
      params: { n: 2, seed: 5 },
      runId: "r-1",
      backend: "cpu",
      logDir: extra.logDir ?? null,
      signal: extra.signal,
    }).pipe(toArray()),
  );

Deno.test("runPipeline() stamps the envelope, emits meta first and done last, and logs every row", async () => {
  const logDir = Deno.makeTempDirSync();
  const rows = await run(
    toy(() => of({ stream: "a", row: { x: 1 } }, { stream: "a", row: { x: 2 } })),
    { logDir },
  );
  assertEquals(rows.map((r) => [r.stream, r.seq]), [["meta", 0], ["a", 1], ["a", 2], ["done", 3]]);
  assertEquals([rows[0].n, rows[0].seed, rows[0].backend], [2, 5, "cpu"]);
  assertEquals([rows[3].status, rows[3].rows], ["ok", 3]);
  assert(rows.every((r) => r.run === "r-1" && r.pipeline === "toy" && Object.isFrozen(r)));
  const logged = Deno.readTextFileSync(`${logDir}/r-1.ndjson`).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assertEquals(logged, rows.map((r) => JSON.parse(JSON.stringify(r))));
  Deno.removeSync(logDir, { recursive: true });
});

Deno.test("runPipeline() turns NaN or Infinity in a row into an error row (JSON would write null)", async () => {
  const rows = await run(
    toy(() =>
      of({ stream: "a", row: { x: 1, step: 4 } }, { stream: "a", row: { x: NaN, step: 5 } }, {
        stream: "a",
        row: { x: 3 },
      })
    ),
  );
  assertEquals(rows.map((r) => r.stream), ["meta", "a", "error", "done"]);
  assertEquals([rows[2].field, rows[2].step], ["x", 5]);
  assert(String(rows[2].message).includes("a.x is NaN"));
  assertEquals(rows[3].status, "failed");
});

Deno.test("runPipeline() reports a thrown RunError with its fields, and refuses undeclared streams", async () => {
  const failing = await run(
    toy(() =>
      concat(
        of({ stream: "a", row: { x: 1 } }),
        throwError(() => new RunError("boom", { step: 7 })),
      )
    ),
  );
  assertEquals(failing.map((r) => r.stream), ["meta", "a", "error", "done"]);
  assertEquals([failing[2].message, failing[2].step, failing[3].status], ["boom", 7, "failed"]);
  const rogue = await run(toy(() => of({ stream: "zzz", row: { x: 1 } })));
  assert(String(rogue[1].message).includes('undeclared stream "zzz"'));
  const envelope = await run(toy(() => of({ stream: "a", row: { seq: 1 } })));
  assert(String(envelope[1].message).includes('envelope field "seq"'));
});

Deno.test("runPipeline() ends with done.status = stopped when its signal aborts", async () => {
  const stop = new AbortController();
  const rows: Row[] = [];
  await new Promise<void>((resolve) => {
    runPipeline(toy(() => concat(of({ stream: "a", row: { x: 1 } }), NEVER)), {
      params: { n: 1, seed: 1 },
      runId: "r-2",
      backend: "cpu",
      logDir: null,
      signal: stop.signal,
    })
      .subscribe({
        next: (r) => {
          rows.push(r);
          if (r.stream === "a") stop.abort();
        },
        complete: resolve,
      });
  });
  assertEquals(rows.map((r) => r.stream), ["meta", "a", "done"]);
  assertEquals(rows[2].status, "stopped");
});

Deno.test({
  name: "a run killed with SIGKILL leaves its log as whole NDJSON lines",
  sanitizeResources: false,
  async fn() {
    const logDir = Deno.makeTempDirSync();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        new URL("../main.ts", import.meta.url).pathname,
        "run",
        "phase-diagram",
        "--grid",
        "300",
        "--log-dir",
        logDir,
        "--backend",
        "cpu",
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Wait until the log has grown past a few hundred rows, then kill mid-write.
    let size = 0;
    for (let i = 0; i < 600 && size < 50_000; i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const f of Deno.readDirSync(logDir)) size = Deno.statSync(`${logDir}/${f.name}`).size;
    }
    child.kill("SIGKILL");
    await child.status;
    const [file] = [...Deno.readDirSync(logDir)];
    const text = Deno.readTextFileSync(`${logDir}/${file.name}`);
    assert(text.endsWith("\n"), "ends on a whole line");
    const rows = text.trim().split("\n").map((l) => JSON.parse(l));
    assert(rows.length > 100, `${rows.length} rows`);
    assertEquals(rows.map((r) => r.seq), rows.map((_, i) => i));
    assert(!rows.some((r) => r.stream === "done"), "killed before it finished");
    Deno.removeSync(logDir, { recursive: true });
  },
});

Deno.test("ctx.progress() emits a progress row at each whole percent, the same rows for the same calls", async () => {
  const def = toy((_p, ctx) =>
    new Observable<Emit>((sub) => {
      for (let i = 1; i <= 1000; i++) ctx.progress(i, 1000);
      ctx.progress(1000, 1000); // repeats of a percent say nothing new
      sub.next({ stream: "a", row: { x: 1 } });
      sub.complete();
    })
  );
  const rows = await run(def);
  const progress = rows.filter((r) => r.stream === "progress");
  // 0% at the first call (floor(0.1)), then 1% … 100%
  assertEquals(progress.length, 101);
  assertEquals(progress.map((r) => Math.floor(100 * (r.fraction as number))), [
    ...Array(101).keys(),
  ]);
  assertEquals([progress[10].done, progress[10].total], [100, 1000]);
  assertEquals(progress.at(-1)!.fraction, 1);
});

Deno.test("runPipeline() names the params to lower when a run cannot allocate", async () => {
  const def = {
    ...toy(() => throwError(() => new RangeError("Array buffer allocation failed"))),
    memory: ["n"],
  };
  const rows = await run(def);
  assertEquals(rows.map((r) => r.stream), ["meta", "error", "done"]);
  assertEquals(rows[1].param, "n");
  assert(
    String(rows[1].message).startsWith(
      "out of memory (Array buffer allocation failed): lower n (now 2)",
    ),
  );
});

Deno.test("every pipeline's memory levers are params of its schema", async () => {
  const { PIPELINES } = await import("../pipelines/mod.ts");
  for (const p of PIPELINES) {
    for (const k of p.memory ?? []) {
      assert(Object.hasOwn(p.params, k), `${p.id}: memory lever ${k}`);
    }
  }
  assert(PIPELINES.filter((p) => p.memory?.length).length >= 8);
});
