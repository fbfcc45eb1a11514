/**
 * Issue #20's benchmark: the NNGP's held-out accuracy end to end (dot products, kernel,
 * Cholesky, posterior mean) at 1,000 and 5,000 training digits against 2,000 held out,
 * ReLU and tanh at depth 3 — beside `python3 bench/numpy_nngp.py`, the same
 * computation in NumPy/OpenBLAS — and the default run of the pipeline (the talk's budget).
 */
import { firstValueFrom, toArray } from "rxjs";
import { useBackend } from "../src/compute/backend.ts";
import { gpDigits } from "../src/gp/data.ts";
import { dotProducts } from "../src/gp/dots.ts";
import { deepKernels } from "../src/gp/kernel.ts";
import { fitKernel } from "../src/gp/fit.ts";
import nngp from "../pipelines/nngp.ts";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

const { tf } = await useBackend("wasm");
const mark = (ok: boolean) => (ok ? "met" : "NOT MET");
for (
  const [activation, n, target] of [["relu", 1000, 5], ["tanh", 1000, 5], [
    "relu",
    5000,
    45,
  ]] as const
) {
  const d = gpDigits(n, 2000);
  const t0 = performance.now();
  const dots = dotProducts(tf, d.train.x, d.test.x);
  const t1 = performance.now();
  const k = deepKernels(
    {
      activation,
      sigma_w2: activation === "relu" ? 1.6 : 2,
      sigma_b2: activation === "relu" ? 0.1 : 0.2,
      depth: 3,
    },
    dots,
    n,
    false,
  );
  const t2 = performance.now();
  const fit = fitKernel(k.nngp, n, n, 2000, d.train.y, d.test.y, 1e-8);
  const s = (performance.now() - t0) / 1000;
  console.log(
    `nngp ${activation}, depth 3, ${n} training / 2,000 held-out digits: accuracy ${
      fit.accuracy.toFixed(4)
    } in ${s.toFixed(1)} s ` +
      `(dot products ${((t1 - t0) / 1000).toFixed(1)} s, kernel ${
        ((t2 - t1) / 1000).toFixed(1)
      } s, Cholesky and solve ${((performance.now() - t2) / 1000).toFixed(1)} s); ` +
      `target ≤ ${target} s: ${mark(s <= target)}${
        n === 1000 ? `; accuracy ≥ 0.90: ${mark(fit.accuracy >= 0.9)}` : ""
      }`,
  );
}
{
  const rows = await firstValueFrom(
    runPipeline(nngp, {
      params: resolveRunParams(nngp, {}),
      runId: "bench",
      backend: "wasm",
      logDir: null,
    })
      .pipe(toArray()),
  );
  const s = rows.at(-1)!.seconds as number;
  console.log(`nngp default run: ${s.toFixed(1)} s; target ≤ 90 s: ${mark(s <= 90)}`);
}
