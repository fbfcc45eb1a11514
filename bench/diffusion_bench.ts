/**
 * Diffusion training speed on wasm (issue #5): Adam steps per second on the
 * Swiss roll and the heartbeat at the paper's settings, and — from one default
 * Swiss roll run, printed once — how long until K is within half a bit of its
 * final value. Runs the pipeline itself, so evaluations of K are included.
 */
import { firstValueFrom, toArray } from "rxjs";
import diffusion from "../pipelines/diffusion.ts";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";

async function run(input: Record<string, unknown>) {
  const params = resolveRunParams(diffusion, input);
  const rows = await firstValueFrom(
    runPipeline(diffusion, { params, runId: "bench", backend: "wasm", logDir: null })
      .pipe(toArray()),
  );
  const done = rows.at(-1)!;
  if (done.status !== "ok") throw new Error(`diffusion bench run ${done.status}`);
  return { rows, seconds: done.seconds as number, steps: params.train_steps as number };
}

// One default run (4,000 steps): time until K is within ½ bit of its final value. A run of
// one step first: its time is what every run spends outside training (the ceiling, the
// entropies, the model's and the ideal reverse chains), taken off to give steps per second.
{
  const fixed = (await run({ train_steps: 1, evals: 1 })).seconds;
  const { rows, seconds, steps } = await run({});
  const bound = rows.filter((r) => r.stream === "bound");
  const final = bound.at(-1)!.K_bits as number;
  const within = bound.find((r) => Math.abs((r.K_bits as number) - final) <= 0.5)!;
  const training = seconds - fixed;
  const perStep = training / steps;
  console.log(
    `diffusion, Swiss roll defaults: ${steps} steps in ${seconds.toFixed(1)} s, of which ${
      fixed.toFixed(1)
    } s outside training; ${(steps / training).toFixed(0)} steps/s incl. ${bound.length} ` +
      `evaluations of K; final K ${final.toFixed(2)} bits; within ½ bit from step ${within.step} ` +
      `(≈ ${(Number(within.step) * perStep).toFixed(1)} s of training)`,
  );
}

Deno.bench({
  name:
    "diffusion, Swiss roll (T = 40, 16 tanh, batch 200): 200 Adam steps + 2 evaluations of K, with the ceiling and the ideal chain",
  n: 3,
  warmup: 1,
  fn: async () => void await run({ train_steps: 200, evals: 2 }),
});

Deno.bench({
  name: "diffusion, heartbeat (T = 2000, 3 × 50 tanh, batch 200): 20 Adam steps + 1 evaluation",
  n: 2,
  warmup: 0,
  fn: async () => void await run({ dataset: "heartbeat", train_steps: 20, evals: 1 }),
});
