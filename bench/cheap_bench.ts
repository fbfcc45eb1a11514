/**
 * Issue #22's benchmark: the deep-cheap parts' default runs (gates ≤ 60 s; decimation and
 * rbm ≤ 3 min together), with the targets each reproduces: the constructed gate's error slope
 * against λ (2 ± 0.1 over two decades), the trained deep n = 6 net against every shallow net
 * of ≤ 32 neurons, the decimation free energy to 1e-10, Onsager's −√2 at T_c within 1%.
 */
import { firstValueFrom, toArray } from "rxjs";
import deepCheap from "../pipelines/deep_cheap.ts";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import type { Row } from "../src/runtime/run.ts";

async function run(part: string): Promise<Row[]> {
  return await firstValueFrom(
    runPipeline(deepCheap, {
      params: resolveRunParams(deepCheap, { part }),
      runId: `bench-${part}`,
      backend: "wasm",
      logDir: null,
    }).pipe(toArray()),
  );
}
const verdict = (ok: boolean) => (ok ? "met" : "NOT MET");
const n = (r: Row | undefined, k: string) => r?.[k] as number;

const gates = await run("gates");
const g = gates.filter((r) => r.stream === "gate");
const soft = g.filter((r) => r.curve === "gate, softplus");
const pts = soft.map((r) => [Math.log(n(r, "lambda")), Math.log(n(r, "max_rel_error"))]);
const mx = pts.reduce((s, p) => s + p[0], 0) / pts.length,
  my = pts.reduce((s, p) => s + p[1], 0) / pts.length;
const slope = pts.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) /
  pts.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
const deep = g.find((r) => r.kind === "trained-deep" && r.neurons === 20);
const shallow = g.filter((r) => r.kind === "trained-shallow" && n(r, "neurons") <= 32);
const best = Math.min(...shallow.map((r) => n(r, "test_error")));
const gSeconds = n(gates.at(-1), "seconds");
console.log(
  `gates default run: ${gSeconds.toFixed(1)} s; target ≤ 60 s: ${verdict(gSeconds <= 60)}`,
);
console.log(
  `softplus gate: error slope ${slope.toFixed(3)} over λ 0.01–1; target 2 ± 0.1: ${
    verdict(Math.abs(slope - 2) < 0.1)
  }`,
);
console.log(
  `n = 6: deep (20 neurons) test error ${n(deep, "test_error").toFixed(4)}, best shallow ≤ 32 ${
    best.toFixed(3)
  }; target deep beats every one: ${verdict(n(deep, "test_error") < best)}`,
);

const dec = await run("decimation");
const last = dec.filter((r) => r.stream === "ising1d").at(-1)!;
const decError = Math.abs(n(last, "f_recursion") - n(last, "f_exact"));
console.log(
  `decimation (K = 2, 14 steps): |f − ln 2cosh K| = ${decError.toExponential(1)}; target ≤ 1e-10: ${
    verdict(decError <= 1e-10)
  }`,
);

const rbm = await run("rbm");
const onsager = rbm.filter((r) => r.stream === "onsager");
for (const r of onsager) {
  console.log(
    `  T_c, L = ${r.size ?? "∞ (1/L extrapolation)"}: energy ${
      n(r, "energy").toFixed(4)
    } (exact torus ${r.exact_finite ?? "—"}); off −√2 by ${
      (100 * n(r, "relative_error")).toFixed(2)
    }%`,
  );
}
const inf = onsager.find((r) => r.size === null);
console.log(`Onsager at T_c within 1%: ${verdict(n(inf, "relative_error") < 0.01)}`);
const part2 = n(dec.at(-1), "seconds") + n(rbm.at(-1), "seconds");
console.log(
  `decimation + rbm default runs: ${part2.toFixed(1)} s; target ≤ 180 s: ${verdict(part2 <= 180)}`,
);
for (const r of rbm.filter((r) => r.stream === "fields")) {
  console.log(
    `  layer ${r.layer}: radius ${n(r, "radius").toFixed(2)}, locality ${
      n(r, "locality").toFixed(3)
    } (spread evenly: ${n(r, "uniform_radius").toFixed(2)}, ${
      n(r, "uniform_locality").toFixed(3)
    })`,
  );
}
