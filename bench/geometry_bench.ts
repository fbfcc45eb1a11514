/**
 * Issue #19's benchmark: the great circle at width 1000 × depth 30 × 500 points (exact
 * derivatives through one net on the run's tfjs backend, then the curve's geometry and a
 * 256-point PCA each layer), and one trainability cell at width 100 × depth 50 (300 SGD
 * steps of batch 32 on the SIMD kernels, then 963 held-out digits). Also the per-step
 * comparison the trainer's design rests on: the same step in tfjs-wasm.
 */
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { activation } from "../src/signal/activations.ts";
import { qStar } from "../src/signal/fixed_point.ts";
import { forwardJets } from "../src/geometry/jets.ts";
import { greatCircle } from "../src/geometry/inputs.ts";
import { curveStats } from "../src/geometry/curve.ts";
import { curvePca, evenIndices } from "../src/geometry/pca.ts";
import { trainCell } from "../src/trainability/cell.ts";
import { trainabilityData } from "../src/trainability/data.ts";

const backend = Deno.env.get("BENCH_BACKEND") === "webgpu" ? "webgpu" : "wasm";
const { tf } = await useBackend(backend);
{
  const m = { act: activation("tanh"), sigma_w2: 4, sigma_b2: 0.3 };
  const q = qStar(m)!;
  const n = 1000, depth = 30, points = 500;
  const rng = new Rng(1);
  const idx = evenIndices(points);
  const t0 = performance.now();
  let jets = 0, geometry = 0, last = t0;
  let previous: Float64Array[] | undefined;
  const spec = { activation: "tanh" as const, sigma_w2: 4, sigma_b2: 0.3, width: n, depth };
  for await (
    const j of forwardJets(tf, spec, greatCircle(rng, n, q, points), rng, async () => {})
  ) {
    const t1 = performance.now();
    jets += t1 - last;
    curveStats(j.layer, j.v!, j.a!, n, q);
    previous = curvePca(j.h, n, idx, 6, previous).vectors;
    last = performance.now();
    geometry += last - t1;
  }
  const total = (performance.now() - t0) / 1000;
  console.log(
    `great-circle (${backend}): width 1000 × depth 30 × 500 points: ${total.toFixed(1)} s ` +
      `(network and derivatives ${(jets / 1000).toFixed(1)} s, geometry and PCA ${
        (geometry / 1000).toFixed(1)
      } s); ` +
      `target < 30 s: ${total < 30 ? "met" : "NOT MET"}`,
  );
}
{
  const data = trainabilityData();
  const t0 = performance.now();
  const r = await trainCell(
    { sigma_w2: 1.76, sigma_b2: 0.05, depth: 50, width: 100, steps: 300, lr: 0.01, batch: 32 },
    data,
    new Rng(1),
    () => Promise.resolve(),
  );
  const s = (performance.now() - t0) / 1000;
  console.log(
    `trainability: one cell at width 100 × depth 50, 300 steps: ${s.toFixed(1)} s ` +
      `(${((s * 1000) / 300).toFixed(1)} ms a step with the held-out score), accuracy ${
        r.accuracy.toFixed(2)
      }; ` +
      `the default 13 × 10 map in ≈ 10 min needs < 6 s a depth-50 cell: ${
        s < 6 ? "met" : "NOT MET"
      }`,
  );
}
{
  // the same SGD step (forward, cross-entropy, backward, update) in tfjs on this backend
  const { x, y } = trainabilityData().train;
  const rng = new Rng(2);
  const ws = [784, ...Array(50).fill(100), 10];
  const vars = ws.slice(1).map((out, l) =>
    tf.variable(tf.randomNormal([ws[l], out], 0, Math.sqrt(1.76 / ws[l]), "float32", rng.int32()))
  );
  const step = () => {
    const idx = Array.from({ length: 32 }, () => Math.floor(rng.uniform() * x.length));
    const xb = tf.tensor2d(idx.map((i) => Array.from(x[i])));
    const yb = tf.oneHot(tf.tensor1d(idx.map((i) => y[i]), "int32"), 10);
    const opt = tf.train.sgd(0.01);
    const cost = opt.minimize(() => {
      let h = xb as ReturnType<typeof tf.matMul>;
      vars.forEach((w, l) => {
        h = tf.matMul(h, w);
        if (l + 1 < vars.length) h = tf.tanh(h);
      });
      return tf.losses.softmaxCrossEntropy(yb, h);
    }, true);
    cost?.dataSync();
    tf.dispose([xb, yb, cost!]);
  };
  step();
  const t0 = performance.now();
  for (let k = 0; k < 20; k++) step();
  console.log(
    `trainability: the same depth-50 step in tfjs-${backend}: ${
      ((performance.now() - t0) / 20).toFixed(1)
    } ms`,
  );
}
