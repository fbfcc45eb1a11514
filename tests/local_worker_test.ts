/**
 * The parts a browser's local run (issue #33) swaps in for Deno's: WebAssembly handed in
 * prebuilt instead of assembled by wabt, and normal matrices drawn in the calling thread instead
 * of a drawing worker — each against the part it replaces.
 */
import { assert, assertEquals } from "./assert.ts";
import { assemble, compileWat, providePrebuilt } from "../src/compute/wat.ts";
import { SIMD_KERNELS } from "../src/compute/simd_kernels.ts";
import { F64_KERNELS_SOLO } from "../src/compute/f64/pool.ts";
import { ensureBundle } from "../src/server/assets.ts";
import { drawNormalsInThread, NormalMatrices } from "../src/random/normal_matrices.ts";
import { describePipeline } from "../src/server/describe.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { LOCAL_PIPELINES, MNIST_READERS } from "../pipelines/local.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

Deno.test("prebuilt kernels: `deno task bundle` writes the bytes wabt makes of the WAT", async () => {
  await ensureBundle();
  for (const [file, kernels] of [["simd", SIMD_KERNELS], ["f64", F64_KERNELS_SOLO]] as const) {
    const shipped = await Deno.readFile(
      new URL(`../dashboard/dist/${file}_kernels.wasm`, import.meta.url),
    );
    assertEquals(shipped, await assemble(kernels), file);
  }
});

Deno.test("prebuilt kernels: a module handed in is the one compiled, not the text's", async () => {
  const text = (k: number) => `(module (func (export "f") (result i32) i32.const ${k}))`;
  const src = { name: "probe", text: text(1), features: {} };
  const run = async () =>
    ((await WebAssembly.instantiate(await compileWat(src))).exports.f as () => number)();
  assertEquals(await run(), 1); // wabt's, from the text
  providePrebuilt("probe", await assemble({ ...src, text: text(2) }));
  assertEquals(await run(), 2); // the prebuilt one
});

Deno.test("normal matrices drawn in this thread are the drawing worker's, matrix for matrix", async () => {
  const draw = async () => {
    const m = new NormalMatrices(7, 300, 0.5);
    const out = [await m.next(), await m.next(), await m.next()];
    m.close();
    return out;
  };
  const worker = await draw();
  drawNormalsInThread();
  const here = await draw();
  assertEquals(here, worker);
  assert(worker[0][0] !== worker[1][0], "three different matrices");
});

Deno.test("which slides a browser recomputes: the light pipelines; isometry asks for MNIST only to train", () => {
  const local = new Set(PIPELINES.filter((p) => describePipeline(p).local).map((p) => p.id));
  assertEquals(local, new Set(LOCAL_PIPELINES.map((p) => p.id)));
  for (const heavy of ["trainability", "nngp", "image-diffusion"]) assert(!local.has(heavy), heavy);
  assert(local.has("signal-propagation") && local.has("phase-diagram") && local.has("isometry"));
  for (const id of Object.keys(MNIST_READERS)) assert(local.has(id), `${id} is local`);
  const isometry = PIPELINES.find((p) => p.id === "isometry")!;
  const reads = (params: Record<string, unknown>) =>
    MNIST_READERS.isometry(resolveRunParams(isometry, params));
  assert(!reads({}), "the slide's spectra read no digits");
  assert(reads({ train_steps: 10 }), "the learning-speed comparison does");
});
