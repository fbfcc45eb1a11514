/**
 * Networks as Gaussian processes (src/gp; THEORY.md §6): the layer maps against closed forms
 * and quadrature, the kernels against wide sampled networks (output covariance over draws;
 * the tangent kernel from one small gradient step), GP regression against a hand-solved
 * case, the finite nets against their NTK, and the grid's best point by the critical line.
 */
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { activation } from "../src/signal/activations.ts";
import { latticeError, latticeMap, layerMap } from "../src/gp/layer_map.ts";
import { deepKernels } from "../src/gp/kernel.ts";
import { gpDigits } from "../src/gp/data.ts";
import { dotProducts } from "../src/gp/dots.ts";
import {
  factorKernel,
  posteriorMean,
  predictiveVariance,
  SingularKernelError,
} from "../src/gp/regression.ts";
import { ntkRates, SimdMlp } from "../src/compute/simd_mlp.ts";
import { ntkAtStep } from "../src/gp/finite.ts";
import nngp from "../pipelines/nngp.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { ParamError } from "../src/params/schema.ts";

Deno.test("layerMap(): ReLU's arc-cosine closed form against the lattice, tanh's lattice against quadrature", () => {
  const relu = activation("relu");
  const exact = layerMap(relu, 1.3), lat = latticeMap(relu, 1.3);
  // the arc-cosine kernel at c = 0 and 1: q/2π and q/2; its slope 1/4 and 1/2
  assertAlmostEquals(exact.pair(0), 1.3 / (2 * Math.PI), 1e-15);
  assertAlmostEquals(exact.pair(1), 1.3 / 2, 1e-15);
  assertAlmostEquals(exact.slope(0), 0.25, 1e-15);
  // ReLU's kink defeats the Gauss–Hermite quadrature behind the lattice's Mehler coefficients
  // (THEORY.md §1): measured 9.5e-4 off, everywhere in c — why ReLU takes the closed form
  let worst = 0;
  for (let i = 0; i <= 400; i++) {
    const c = -1 + i / 200;
    worst = Math.max(worst, Math.abs(exact.pair(c) - lat.pair(c)));
  }
  assert(worst < 2e-3, `relu lattice: ${worst}`);
  // tanh: the lattice against 2-D Gauss–Hermite (the direct integral), 1e-9 at these q
  for (const q of [0.5, 2.2]) {
    const e = latticeError(activation("tanh"), q);
    assert(e.pair < 1e-9 && e.slope < 1e-8, `tanh q = ${q}: ${JSON.stringify(e)}`);
  }
});

/** Three normalised digits and their dot products. */
function threeDigits() {
  const d = gpDigits(10, 10);
  const x = [d.train.x[0], d.train.x[1], d.train.x[7]];
  const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0) / 784;
  const dots = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) dots[i * 3 + j] = dot(x[i], x[j]);
  return { x, dots };
}

Deno.test("the NNGP kernel is the output covariance of wide random nets, within Monte Carlo error", async () => {
  // 300 ReLU nets of width 256 and depth 2, ten outputs each: 3,000 samples of each output
  // covariance. Each entry's standard error is estimated from the samples; 4 allowed (the
  // finite width adds an O(1/N) bias, ≈ 0.4% here, far inside that).
  const { x, dots } = threeDigits();
  const spec = { activation: "relu" as const, sigma_w2: 1.6, sigma_b2: 0.1, depth: 2 };
  const k = deepKernels(spec, { train: dots, cross: new Float64Array() }, 3, false).nngp.train;
  const rng = new Rng(11);
  const sums = new Float64Array(9), sq = new Float64Array(9);
  let count = 0;
  for (let draw = 0; draw < 300; draw++) {
    const net = await SimdMlp.create({
      inputs: 784,
      outputs: 10,
      width: 256,
      depth: 2,
      sigma_w2: 1.6,
      sigma_b2: 0.1,
      batch: 4,
      activation: "relu",
    }, rng);
    const f = net.outputs(x);
    for (let o = 0; o < 10; o++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const v = f[i][o] * f[j][o];
          sums[i * 3 + j] += v;
          sq[i * 3 + j] += v * v;
        }
      }
      count++;
    }
  }
  for (let e = 0; e < 9; e++) {
    const mean = sums[e] / count;
    const se = Math.sqrt((sq[e] / count - mean * mean) / count);
    assertAlmostEquals(mean, k[e], 4 * se, `entry ${e}: ${mean} ± ${se} against ${k[e]}`);
  }
});

Deno.test("the NTK is what one small gradient step of a wide net moves, within its spread over nets", async () => {
  // A gradient step on x' with residual ε e₀ moves f(x) by −η Θ(x, x') ε e₀ (NTK rates). Width
  // 1024, tanh, 20 nets: the finite net's Θ fluctuates by a few % (measured 3–5%); their mean
  // within 4 standard errors of the recursion.
  const { x, dots } = threeDigits();
  const spec = { activation: "tanh" as const, sigma_w2: 1.8, sigma_b2: 0.1, depth: 2 };
  const theta = deepKernels(spec, { train: dots, cross: new Float64Array() }, 3).ntk!.train;
  const rng = new Rng(5);
  const shape = {
    inputs: 784,
    outputs: 10,
    width: 1024,
    depth: 2,
    sigma_w2: 1.8,
    sigma_b2: 0.1,
    batch: 2,
    activation: "tanh" as const,
    loss: "squared" as const,
  };
  const samples: number[][] = [[], []]; // Θ(x0, x1) and Θ(x1, x1)
  const eta = 1e-3, eps = 1;
  for (let draw = 0; draw < 20; draw++) {
    const net = await SimdMlp.create({ ...shape, rates: ntkRates(shape) }, rng);
    const before = net.outputs([x[0], x[1]]);
    const t = before[1].slice();
    t[0] -= eps; // residual f − t = ε e₀, twice (the batch is x1, x1): dL/df = ε e₀
    net.step([x[1], x[1]], [t, t], eta);
    const after = net.outputs([x[0], x[1]]);
    samples[0].push(-(after[0][0] - before[0][0]) / (eta * eps));
    samples[1].push(-(after[1][0] - before[1][0]) / (eta * eps));
  }
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const s = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
    return { m, se: s / Math.sqrt(v.length) };
  };
  const [off, diag] = samples.map(stats);
  assertAlmostEquals(
    off.m,
    theta[1],
    4 * off.se + 1e-3 * theta[1],
    `Θ(x0, x1) ${off.m} ± ${off.se} vs ${theta[1]}`,
  );
  assertAlmostEquals(
    diag.m,
    theta[4],
    4 * diag.se + 1e-3 * theta[4],
    `Θ(x1, x1) ${diag.m} ± ${diag.se} vs ${theta[4]}`,
  );
});

Deno.test("GP regression: a 2 × 2 case solved by hand, and a singular kernel names the jitter that fixes it", () => {
  // K = [[2, 1], [1, 2]], k* = [1, ½], y = [1, −1]: α = K⁻¹y = [1, −1], mean ½; K⁻¹k* = [½, 0],
  // variance 2 − ½ = 3/2.
  const k = Float64Array.of(2, 1, 1, 2);
  const l = factorKernel(k, 2, 2, 1e-14);
  const y = new Float64Array(20).fill(0);
  y[0] = 1;
  y[10] = -1;
  const mean = posteriorMean(l, Float64Array.of(1, 0.5), y, 2, 1);
  assertAlmostEquals(mean[0], 0.5, 1e-12);
  assertAlmostEquals(predictiveVariance(l, Float64Array.of(1, 0.5), 2, 2, 1)[0], 1.5, 1e-12);
  // a kernel of rank one (every input the same) fails at a tiny jitter, and says which works
  const ones = new Float64Array(16).fill(1);
  try {
    factorKernel(ones, 4, 1, 1e-20);
    throw new Error("factorised a singular kernel");
  } catch (e) {
    assert(e instanceof SingularKernelError, String(e));
    assert(e.works !== null && e.works > 1e-20 && e.works <= 1e-12, `works: ${e.works}`);
    assert(e.message.includes(String(e.works)));
  }
});

Deno.test("finite nets: the distance to the NTK's linear model falls with width", async () => {
  // 100 digits, tanh depth 2, 30 steps: widths 64 and 1024 (16× wider: 1/√N predicts ÷4;
  // measured ÷2.6–3.2 at these sizes, where higher-order terms still count). The kernel's
  // prediction after 0 steps is 0, and after many it interpolates the targets.
  const { tf } = await useBackend("wasm");
  const d = gpDigits(100, 200);
  const spec = { activation: "tanh" as const, sigma_w2: 1.8, sigma_b2: 0.1, depth: 2 };
  const k = deepKernels(spec, dotProducts(tf, d.train.x, d.test.x), 100).ntk!;
  const { largestNtkEigenvalue, trainFinite, relativeDistance } = await import(
    "../src/gp/finite.ts"
  );
  const { targets } = await import("../src/gp/regression.ts");
  const lr = 100 / largestNtkEigenvalue(k, 100);
  const ref = ntkAtStep(k, targets(d.train.y), 100, 200, lr, 30);
  assert(ntkAtStep(k, targets(d.train.y), 100, 200, lr, 0).every((v) => Math.abs(v) < 1e-12));
  const dist: number[] = [];
  for (const width of [64, 1024]) {
    const out = await trainFinite(
      { ...spec, width, steps: 30, lr },
      d.train,
      d.test,
      new Rng(width),
      () => Promise.resolve(),
    );
    dist.push(relativeDistance(out, ref));
  }
  assert(dist[1] < dist[0] / 2, `distances ${dist}`);
});

Deno.test("nngp: the grid's best kernel lies by the critical line; bad sizes name their param", async () => {
  const rows = await pipelineRows(nngp, {
    activation: "tanh",
    n_train: 100,
    n_test: 100,
    widths: 0,
    grid_points: 6,
    grid_depth: 50,
  });
  assertEquals(rows.at(-1)!.status, "ok");
  const grid = rows.filter((r) => r.stream === "grid");
  assertEquals(grid.length, 36);
  const best = grid.reduce((a, b) => ((b.accuracy as number) > (a.accuracy as number) ? b : a));
  // at depth 50 kernels more than a few ξ_c from χ1 = 1 have forgotten their inputs (chance)
  assert(Math.abs((best.chi1 as number) - 1) < 0.25, `best at χ1 = ${best.chi1}`);
  assert(grid.some((r) => (r.accuracy as number) <= 0.15), "somewhere the kernel forgot");
  assert(rows.some((r) => r.stream === "critical-line"));
  const err = (p: Record<string, unknown>) => {
    try {
      nngp.check!({ ...rows[0], ...p } as never);
    } catch (e) {
      return e;
    }
    return null;
  };
  const base = {
    n_train: 1000,
    n_test: 2000,
    n_finite: 200,
    widths: 4,
    grid_points: 10,
    grid_sigma_w2_max: 4,
  };
  assertEquals(err(base), null);
  const odd = err({ ...base, n_train: 1005 });
  assert(odd instanceof ParamError && odd.param === "n_train", String(odd));
  const finite = err({ ...base, n_train: 100 });
  assert(finite instanceof ParamError && finite.param === "n_finite", String(finite));
});
