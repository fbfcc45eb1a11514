/**
 * Issue #31's GPU bench: the float32 GEMM at 1024/2048/4096 and the heavy slides' runs, on
 * the WebAssembly SIMD kernels and on WebGPU side by side, with the adapter's name (a software
 * adapter's numbers are correctness runs, not speed: docs/benchmarks.md keeps both).
 *
 *   deno task bench:gpu                         GEMM 1024 2048 4096, slides 6 9 11 14 19 21 22 23
 *   deno task bench:gpu --sizes 256,512 --slides 11 --no-wasm-gemm
 *   deno task bench:gpu --sizes "" --slides "" --defaults trainability --backends webgpu
 *
 * GEMM: C = A·B, row-major float32, the median of 3 timed products after one warm-up (the
 * WebGPU time includes the submit and the read of C, as a trainer pays it). wasm is the SIMD
 * kernels' `rowmat` on one thread (the float32 trainers' product). Slides: the default talk's
 * params, the whole run as `watch` computes it (`runPipeline`, the kernel pool on every core
 * for float64), once per backend, and whether the slide still shows its claim.
 *
 * Not a `deno bench` file (its name keeps `deno task bench`, which is CPU-only, off it): the GPU
 * is the point here.
 */
import { firstValueFrom, toArray } from "rxjs";
import { gpu, gpuAdapter } from "../src/compute/webgpu/device.ts";
import { gemm } from "../src/compute/webgpu/gemm.ts";
import { instantiateKernels } from "../src/compute/simd_kernels.ts";
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { type Row, runPipeline } from "../src/runtime/run.ts";
import type { Pipeline } from "../src/runtime/pipeline.ts";
import { stopF64Pool } from "../src/compute/f64/mod.ts";
import { SLIDE_CLAIMS } from "../tests/helpers/slide_claims.ts";

function arg(name: string): string | null {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1] ?? "" : null;
}
const sizes = (arg("sizes") ?? "1024,2048,4096").split(",").filter(Boolean).map(Number);
const slides = (arg("slides") ?? "6,9,11,14,19,21,22,23").split(/[ ,]/).filter(Boolean).map(Number);
const wasmGemm = !Deno.args.includes("--no-wasm-gemm");
// pipelines run at their own default params (issue #31's "default trainability map" target)
const defaults = (arg("defaults") ?? "").split(",").filter(Boolean);
// a lent GPU's minutes are few: `--backends webgpu` skips the wasm side of the slides
const backends = (arg("backends") ?? "wasm,webgpu").split(",").filter(Boolean) as Backend[];
for (const b of backends) {
  if (b !== "wasm" && b !== "webgpu") throw new Error(`--backends: wasm or webgpu, got ${b}`);
}
type Backend = "wasm" | "webgpu";

const { info } = await gpuAdapter();
console.log(
  `adapter: ${info.description}${info.fallback ? " (software: correctness only, not speed)" : ""}`,
);
const device = await gpu();

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeGpu(n: number): Promise<number> {
  const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
  await gemm(device, a, b, { M: n, N: n, K: n }); // compile and warm
  const times = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    await gemm(device, a, b, { M: n, N: n, K: n });
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

async function timeWasm(n: number): Promise<number> {
  const k = await instantiateKernels(3 * n * n * 4);
  const mem = new Float32Array(k.memory.buffer, 0, 2 * n * n);
  for (let i = 0; i < mem.length; i++) mem[i] = Math.random() - 0.5;
  const [aAt, bAt, cAt] = [0, n * n * 4, 2 * n * n * 4];
  k.rowmat(aAt, n, bAt, n, n, cAt);
  const times = [];
  for (let r = 0; r < (n >= 4096 ? 1 : 3); r++) {
    const t0 = performance.now();
    k.rowmat(aAt, n, bAt, n, n, cAt);
    times.push((performance.now() - t0) / 1000);
  }
  return median(times);
}

console.log("\nGEMM C = A·B (n × n, float32): seconds and GFLOP/s");
for (const n of sizes) {
  const flop = 2 * n ** 3;
  const g = await timeGpu(n);
  const w = wasmGemm ? await timeWasm(n) : null;
  const rate = (s: number) => `${(flop / s / 1e9).toFixed(1)} GFLOP/s`;
  console.log(
    `  ${n}³: webgpu ${g.toFixed(3)} s (${rate(g)})` +
      (w === null
        ? ""
        : `; wasm-simd, one thread ${w.toFixed(3)} s (${rate(w)}); wasm/webgpu ×${
          (w / g).toPrecision(2)
        }`),
  );
}

// deno-lint-ignore no-explicit-any
type PipelineDef = Pipeline<any>;
type Run = { seconds: number; computed: string; status: unknown; shows: string };

/** One whole run as `watch` computes it, and whether a slide's claim (if given) still shows. */
async function timeRun(
  def: PipelineDef,
  params: Record<string, number | string>,
  backend: Backend,
  claim: string | null,
): Promise<Run> {
  const t0 = performance.now();
  const rows: Row[] = await firstValueFrom(
    runPipeline(def, { params, runId: `gpu-bench-${def.id}-${backend}`, backend, logDir: null })
      .pipe(toArray()),
  );
  const seconds = (performance.now() - t0) / 1000;
  const done = rows.find((r) => r.stream === "done");
  let shows = claim === null ? "" : "shows its claim";
  try {
    if (claim !== null) SLIDE_CLAIMS[claim]?.check(rows);
  } catch (e) {
    shows = `claim NOT shown: ${(e as Error).message}`;
  }
  return { seconds, computed: String(done?.computed ?? ""), status: done?.status, shows };
}

/**
 * The backends' runs of one pipeline, webgpu first, each printed as soon as it is done (a lent
 * GPU's call can end at its time limit; what was printed comes back), then the ratio.
 */
async function sideBySide(
  label: string,
  def: PipelineDef,
  params: Record<string, number | string>,
  claim: string | null,
) {
  const runs = new Map<Backend, Run>();
  for (const b of [...backends].sort().reverse()) {
    const r = await timeRun(def, params, b, claim);
    runs.set(b, r);
    console.log(
      `  ${label} (${def.id}) on ${b}: ${r.seconds.toFixed(1)} s; ${r.status}` +
        `${r.shows ? ", " + r.shows : ""}; computed: ${r.computed}`,
    );
  }
  const [w, g] = [runs.get("wasm"), runs.get("webgpu")];
  if (w && g) console.log(`  ${label}: wasm/webgpu ×${(w.seconds / g.seconds).toFixed(2)}`);
}

if (slides.length) {
  console.log("\nslides (the default talk's params), wall seconds of the whole run");
  const talk = await loadTalk("data/talks/default.json", PIPELINES);
  for (const n of slides) {
    const slide = talk.slides[n - 1];
    const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
    await sideBySide(`slide ${n}`, def, resolveRunParams(def, slide.params), slide.title);
  }
}
for (const id of defaults) {
  const def = PIPELINES.find((p) => p.id === id);
  if (!def) throw new Error(`--defaults: no pipeline ${id}`);
  console.log(`\n${id} at its default params, wall seconds of the whole run`);
  await sideBySide("defaults", def, resolveRunParams(def, {}), null);
}
stopF64Pool(); // its helpers would keep `deno run` alive
Deno.exit(0); // and so would the WebGPU device
