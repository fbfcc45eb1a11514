/**
 * Issue #21's benchmark: the singularities pipeline's default run (≤ 30 s), and from the
 * talk's start how much sooner natural gradient leaves the plateau than gradient descent
 * (≥ 10× in natural time).
 */
import { firstValueFrom, toArray } from "rxjs";
import singularities from "../pipelines/singularities.ts";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

const rows = await firstValueFrom(
  runPipeline(singularities, {
    params: resolveRunParams(singularities, {}),
    runId: "bench",
    backend: "wasm",
    logDir: null,
  }).pipe(toArray()),
);
const seconds = rows.at(-1)!.seconds as number;
const plateau = rows.find((r) => r.stream === "setup")!.plateau_error as number;
const leave = (m: string) =>
  rows.find((r) => r.stream === "loss" && r.method === m && (r.error as number) < 0.1 * plateau)
    ?.t as number | undefined;
const last = rows.filter((r) => r.stream === "loss" && r.method === "gd").at(-1)!.t as number;
const tGd = leave("gd"), tNgd = leave("ngd")!;
console.log(
  `singularities default run: ${seconds.toFixed(1)} s; target ≤ 30 s: ${
    seconds <= 30 ? "met" : "NOT MET"
  }`,
);
console.log(
  `natural gradient leaves the plateau at t = ${tNgd}; gradient descent ${
    tGd === undefined ? `still on it at t = ${last}` : `at t = ${tGd}`
  }: ${((tGd ?? last) / tNgd).toFixed(0)}× or more; target ≥ 10×: ${
    (tGd ?? last) >= 10 * tNgd ? "met" : "NOT MET"
  }`,
);
