import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { ParamError } from "../src/params/schema.ts";
import lossLandscape, { MAX_KRYLOV_PARAMS, MAX_PARAMS } from "../pipelines/loss_landscape.ts";
import { downsample } from "../src/landscape/tasks.ts";

// A 3-3-2 net on 12 memorised examples: 20 parameters, so a run takes a second.
const SMALL = {
  task: "memorize",
  samples: 12,
  inputs: 3,
  outputs: 2,
  hidden: 3,
  critical_points: 6,
  grad_tol: 1e-8,
  max_iterations: 200,
  batch: 4,
} as const;

Deno.test("loss-landscape: a small run streams theory, optimizers, searches and critical points", async () => {
  const rows = await pipelineRows(lossLandscape, {
    ...SMALL,
    sgd_steps: 40,
    newton_steps: 5,
    krylov: 10,
  });
  const of = (s: string) => rows.filter((r) => r.stream === s);
  assertEquals(rows.at(-1)!.status, "ok");
  // theory: α(0) = 0 and α non-decreasing in ε
  const theory = of("theory");
  assertEquals(theory[0].index, 0);
  for (let i = 1; i < theory.length; i++) {
    assert((theory[i].index as number) >= (theory[i - 1].index as number) - 1e-9);
  }
  // every optimizer reports, from the same start
  const training = of("training");
  const optimizers = new Set(training.map((r) => r.optimizer));
  assertEquals([...optimizers].sort(), ["newton", "saddle-free", "sgd", "sgd→saddle-free"]);
  const starts = training.filter((r) => r.step === 0).map((r) => r.loss as number);
  for (const s of starts) assertAlmostEquals(s, starts[0], 0);
  // Newton-type steps never raise the loss (the damping grid includes not moving)
  const sfn = training.filter((r) => r.optimizer === "saddle-free").map((r) => r.loss as number);
  for (let i = 1; i < sfn.length; i++) assert(sfn[i] <= sfn[i - 1]);
  // searches: one row each; converged ones become critical points below tolerance
  const searches = of("search");
  assertEquals(searches.length, 6);
  const points = of("critical-point");
  assertEquals(points.length, searches.filter((r) => r.status === "converged").length);
  assert(points.length >= 1, "at least one search converged");
  for (const p of points) {
    assert((p.grad_norm as number) < 1e-8);
    assert((p.index as number) >= 0 && (p.index as number) <= 1);
    assertEquals(p.n_params, 3 * 4 + 2 * 4);
    assert((p.lambda_min as number) <= (p.lambda_max as number));
  }
  // spectra: each histogram counts all n eigenvalues
  const spectra = of("spectrum");
  assert(spectra.length > 0);
  for (const point of new Set(spectra.map((r) => r.point))) {
    const total = spectra.filter((r) => r.point === point).reduce(
      (s, r) => s + (r.count as number),
      0,
    );
    assertEquals(total, 20);
  }
});

Deno.test("loss-landscape: hessian krylov streams SLQ spectra whose expected counts sum to n", async () => {
  // the same 20-parameter net, searched and measured with Hessian-vector products only
  const rows = await pipelineRows(lossLandscape, {
    ...SMALL,
    sgd_steps: 20,
    newton_steps: 2,
    krylov: 20,
    hessian: "krylov",
    slq_steps: 10,
    slq_probes: 3,
  }, "k");
  assertEquals(rows.at(-1)!.status, "ok");
  const points = rows.filter((r) => r.stream === "critical-point");
  assert(points.length >= 1, "at least one search converged");
  for (const p of points) {
    assertEquals(p.method, "slq");
    assertEquals(p.zero, null);
    const [lo, mid, hi] = [p.index_lo, p.index, p.index_hi] as number[];
    assert(0 <= lo && lo <= mid && mid <= hi && hi <= 1, `${lo} ≤ ${mid} ≤ ${hi}`);
  }
  const spectra = rows.filter((r) => r.stream === "spectrum");
  for (const point of new Set(spectra.map((r) => r.point))) {
    const total = spectra.filter((r) => r.point === point).reduce(
      (s, r) => s + (r.count as number),
      0,
    );
    // weights of each probe's Gauss rule sum to 1, so the expected counts sum to n
    assertAlmostEquals(total, 20, 1e-9);
  }
});

Deno.test("loss-landscape: too many parameters or a batch larger than the data is a clear param error", () => {
  assertThrows(
    () =>
      resolveRunParams(lossLandscape, { task: "mnist", pixels: 28, hidden: 50, hessian: "dense" }),
    ParamError,
    `at most ${MAX_PARAMS} (use hessian krylov)`,
  );
  // auto switches to Krylov methods beyond the dense limit, up to theirs
  resolveRunParams(lossLandscape, { task: "mnist", pixels: 28, hidden: 10 });
  assertThrows(
    () => resolveRunParams(lossLandscape, { task: "mnist", pixels: 28, hidden: 100 }),
    ParamError,
    `at most ${MAX_KRYLOV_PARAMS} are allowed`,
  );
  assertThrows(
    () => resolveRunParams(lossLandscape, { samples: 10, batch: 20 }),
    ParamError,
    "batch must be at most samples",
  );
});

Deno.test("downsample() keeps the mean and averages whole blocks when the size divides 28", () => {
  const img = Array.from({ length: 784 }, (_, i) => (i * 7919) % 13);
  const mean = img.reduce((s, v) => s + v, 0) / 784;
  for (const p of [4, 6, 7, 10, 14]) {
    const out = downsample(img, p);
    assertAlmostEquals(out.reduce((s, v) => s + v, 0) / (p * p), mean, 1e-12, `p = ${p}`);
  }
  const seven = downsample(img, 7); // 4 × 4 blocks
  let block = 0;
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) block += img[y * 28 + x];
  assertAlmostEquals(seven[0], block / 16, 1e-12);
});
