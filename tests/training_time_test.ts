import { firstValueFrom, toArray } from "rxjs";
import { assert, assertEquals } from "./assert.ts";
import { logDepths } from "../src/linear/learning_time.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { runPipeline } from "../src/runtime/run.ts";
import trainingTime from "../pipelines/training_time.ts";

Deno.test("logDepths() spreads integer depths in log scale without repeats", () => {
  assertEquals(logDepths(2, 64, 6), [2, 4, 8, 16, 32, 64]);
  assertEquals(logDepths(2, 3, 5), [2, 3]);
  assertEquals(logDepths(5, 5, 3), [5]);
});

Deno.test("training-time: with λ = λ0/D, decoupled starts learn no slower at depth 16 than at 2; Gaussian starts slow down", async () => {
  // A small tree (8 items, 50 features, width 8) so the whole study takes seconds.
  const params = resolveRunParams(trainingTime, {
    levels: 3,
    features: 50,
    width: 8,
    depth_max: 16,
    depth_points: 3,
  });
  const rows = await firstValueFrom(
    runPipeline(trainingTime, { params, runId: "t", backend: "wasm", logDir: null }).pipe(
      toArray(),
    ),
  );
  const times = rows.filter((r) => r.stream === "learning-time");
  assertEquals(times.length, 9); // 3 depths × 3 starts, one row as each finishes
  const steps = (init: string, depth: number) =>
    times.find((r) => r.init === init && r.depth === depth)!.steps as number | null;
  const d2 = steps("decoupled", 2)!, d16 = steps("decoupled", 16)!;
  assert(d16 <= d2, `decoupled: ${d2} steps at depth 2, ${d16} at 16`);
  const g2 = steps("gaussian", 2)!, g6 = steps("gaussian", 6);
  assert(g6 === null || g6 > 2 * g2, `gaussian: ${g2} steps at depth 2, ${g6} at 6`);
  assertEquals(rows.at(-1)!.status, "ok");
});
