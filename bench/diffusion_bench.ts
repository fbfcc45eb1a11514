/**
 * Diffusion on wasm, against issue #15's targets (2 cores): the default Swiss-roll run
 * (≤ 60 s end to end; reverse samples at t = 0 within a median 0.05 of the roll; reverse
 * entropy at t = 0 at least 2 nats under the forward entropy at T; K ≥ 1 bit), the
 * Table 1 recipe (K ≥ 1.85 bits in ≤ 5 min), the heartbeat default (within 0.2 bits of
 * the true −2.322 in ≤ 3 min), and training steps per second of the same 8 × 64 network,
 * float64 loops against the batched float32 SIMD trainer. Each run is the pipeline itself,
 * evaluations of K included. `--quick` skips the two multi-minute runs.
 */
import { firstValueFrom, toArray } from "rxjs";
import diffusion from "../pipelines/diffusion.ts";
import { runPipeline } from "../src/runtime/run.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { ReverseModel } from "../src/diffusion/model.ts";
import { SimdReverseModel } from "../src/diffusion/simd_model.ts";
import { makeSchedule } from "../src/diffusion/schedule.ts";
import { swissRoll } from "../src/diffusion/data.ts";
import { forwardSample } from "../src/diffusion/bound.ts";
import { Adam } from "../src/optim/adam.ts";
import { Rng } from "../src/random/rng.ts";
import { HEARTBEAT_LOG_LIKELIHOOD } from "../src/diffusion/data.ts";

async function run(input: Record<string, unknown>) {
  const params = resolveRunParams(diffusion, input);
  const rows = await firstValueFrom(
    runPipeline(diffusion, { params, runId: "bench", backend: "wasm", logDir: null })
      .pipe(toArray()),
  );
  const done = rows.at(-1)!;
  if (done.status !== "ok") throw new Error(`diffusion bench run ${done.status}`);
  const k = rows.filter((r) => r.stream === "bound").at(-1)!.K_bits as number;
  const entropy = (direction: string, t: number) =>
    rows.find((r) => r.stream === "entropy" && r.direction === direction && r.t === t);
  return { rows, seconds: done.seconds as number, k, entropy };
}

const mark = (ok: boolean) => (ok ? "met" : "NOT MET");
const quick = Deno.args.includes("--quick");

{
  const { seconds, k, entropy } = await run({});
  const dist = entropy("reverse", 0)!.median_distance as number;
  const drop = (entropy("forward", 40)!.entropy as number) -
    (entropy("reverse", 0)!.entropy as number);
  console.log(
    `diffusion, Swiss roll default (slide preset): ${seconds.toFixed(1)} s (target ≤ 60: ${
      mark(seconds <= 60)
    }); median distance of reverse samples to the roll ${dist.toFixed(4)} (< 0.05: ${
      mark(dist < 0.05)
    }); reverse entropy at t = 0 ${drop.toFixed(2)} nats under the forward at T (≥ 2: ${
      mark(drop >= 2)
    }); K ${k.toFixed(2)} bits (≥ 1.0: ${mark(k >= 1)})`,
  );
}
if (!quick) {
  const { seconds, k } = await run({ preset: "table1" });
  console.log(
    `diffusion, Swiss roll --preset table1: K ${k.toFixed(2)} bits (≥ 1.85: ${
      mark(k >= 1.85)
    }) in ${(seconds / 60).toFixed(1)} min (≤ 5: ${mark(seconds <= 300)})`,
  );
  const hb = await run({ dataset: "heartbeat" });
  const truth = HEARTBEAT_LOG_LIKELIHOOD / Math.LN2;
  console.log(
    `diffusion, heartbeat default: K ${hb.k.toFixed(3)} bits against the true ${
      truth.toFixed(3)
    } (within 0.2: ${mark(Math.abs(hb.k - truth) <= 0.2)}) in ${
      (hb.seconds / 60).toFixed(1)
    } min (≤ 3: ${mark(hb.seconds <= 180)})`,
  );
}

// One Adam step of the slide's network (8 × 64 tanh, T = 40, batch 200), both ways.
const beta = makeSchedule("geometric", 40, false, 1e-5, 0.3);
const model = new ReverseModel(
  { kind: "gaussian", d: 2, hidden: Array(8).fill(64), basis: 40 },
  beta,
);
const rng = new Rng(1);
const theta = model.init(rng);
const simd = await SimdReverseModel.create(model, theta);
const train = swissRoll(10_000, rng);
const batch = () => {
  const x0 = new Float64Array(400);
  for (let e = 0; e < 200; e++) {
    const j = Math.floor(rng.uniform() * 10_000);
    x0.set(train.subarray(2 * j, 2 * j + 2), 2 * e);
  }
  const t = new Int32Array(200).map(() => 2 + Math.floor(rng.uniform() * 39));
  return { x0, t, xt: forwardSample(x0, t, model.ab, false, 2, rng) };
};
const grad = new Float64Array(model.n);
const adam64 = new Adam(model.n, 1e-3), adam32 = new Adam(model.n, 1e-3);

Deno.bench({
  name: "diffusion step, 8 × 64 tanh, batch 200: float64 per-example loops (the reference)",
  group: "diffusion step",
  baseline: true,
  n: 30,
  fn: () => {
    grad.fill(0);
    model.kl(theta, batch(), grad);
    adam64.step(theta, grad);
  },
});

Deno.bench({
  name: "diffusion step, 8 × 64 tanh, batch 200: batched float32 on the SIMD kernels",
  group: "diffusion step",
  n: 300,
  fn: () => {
    grad.fill(0);
    simd.lossAndGrad(batch(), grad);
    adam32.step(theta, grad);
    simd.load(theta);
  },
});
