/**
 * Issue #28's slide timings: a slide's run as `watch` now computes it (in the run pool: a
 * shardable sweep split over every core, float64 on every core) beside the same run on one
 * thread (the main thread, a one-thread float64 pool: the old shape of the computation, with
 * today's kernels), and whether the pool's rows still show the slide's claim.
 *
 *   deno run -A bench/pool_slides_bench.ts [slide numbers…]   (default: 1 3 6 11 12 14 15 18 19 23)
 */
import { firstValueFrom, toArray } from "rxjs";
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { type Row, runPipeline } from "../src/runtime/run.ts";
import { RunPool } from "../src/runtime/run_pool.ts";
import { CORES } from "../src/runtime/threads.ts";
import { stopF64Pool } from "../src/compute/f64/mod.ts";
import { SLIDE_CLAIMS } from "../tests/helpers/slide_claims.ts";

const talk = await loadTalk("data/talks/default.json", PIPELINES);
const wanted = Deno.args.length ? Deno.args.map(Number) : [1, 3, 6, 11, 12, 14, 15, 18, 19, 23];
const pool = new RunPool(CORES, "wasm");
pool.warm(); // as `watch` does at start: the first slide's worker is warm
await new Promise((r) => setTimeout(r, 5000));
for (const n of wanted) {
  const slide = talk.slides[n - 1];
  const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
  const params = resolveRunParams(def, slide.params);
  const opts = { params, runId: `bench-${n}`, backend: "wasm" as const, logDir: null };
  const time = async (rows$: ReturnType<typeof runPipeline>) => {
    const t0 = performance.now();
    const rows: Row[] = await firstValueFrom(rows$.pipe(toArray()));
    return { seconds: (performance.now() - t0) / 1000, rows };
  };
  const one = await time(runPipeline(def, { ...opts, threads: 1 }));
  const all = await time(pool.run(def, opts));
  const split = def.shardable && (def.splits?.(params) ?? true);
  let shows = "shows its claim";
  try {
    SLIDE_CLAIMS[slide.title]?.check(all.rows);
  } catch (e) {
    shows = `claim NOT shown: ${(e as Error).message}`;
  }
  console.log(
    `slide ${n} (${def.id}${split ? ", a sweep split over the workers" : ""}): one thread ${
      one.seconds.toFixed(1)
    } s, ${CORES} threads in the pool ${all.seconds.toFixed(1)} s (×${
      (one.seconds / all.seconds).toFixed(2)
    }); ${shows}`,
  );
}
pool.close();
stopF64Pool(); // its helpers would keep `deno run` alive
