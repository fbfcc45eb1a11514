/**
 * A small reverse model and a batch for the float32 models' tests against the float64 one
 * (tests/diffusion_simd_test.ts, tests/webgpu_diffusion_test.ts): odd widths and a batch not a
 * multiple of 4 (or past one chunk), the readout moved off 0 so every parameter matters.
 */
import { makeSchedule } from "../../src/diffusion/schedule.ts";
import { type Batch, type Kind, ReverseModel } from "../../src/diffusion/model.ts";
import { forwardSample } from "../../src/diffusion/bound.ts";
import { heartbeat, swissRoll } from "../../src/diffusion/data.ts";
import { Rng } from "../../src/random/rng.ts";

export function diffusionBatch(kind: Kind, count: number, seed: number) {
  const rng = new Rng(seed);
  const T = 12;
  const d = kind === "gaussian" ? 2 : 20;
  const beta = makeSchedule(
    kind === "gaussian" ? "geometric" : "paper",
    T,
    kind === "binomial",
    1e-3,
    0.3,
  );
  const model = new ReverseModel(
    { kind, d, hidden: [5, 7, 3], basis: kind === "gaussian" ? T : 4 },
    beta,
  );
  const theta = model.init(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal(); // readout off 0
  const x0 = kind === "gaussian" ? swissRoll(count, rng) : heartbeat(count, rng);
  const t = new Int32Array(count).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
  const batch: Batch = { x0, t, xt: forwardSample(x0, t, model.ab, kind === "binomial", d, rng) };
  return { model, theta, batch };
}
