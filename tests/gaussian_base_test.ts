/**
 * The Gaussian head start of the image reverse model (src/diffusion/gaussian_base.ts): the
 * fitted Gaussian's reverse kernels against a simulation of the forward process, the principal
 * axes against the covariance they diagonalise, and the model, its float32 twins and the
 * inpainting chain with a base and axes.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { Rng } from "../src/random/rng.ts";
import { makeSchedule } from "../src/diffusion/schedule.ts";
import { drawPrior, ReverseModel, sampleReverse } from "../src/diffusion/model.ts";
import { SimdReverseModel } from "../src/diffusion/simd_model.ts";
import { ParallelReverseModel } from "../src/diffusion/shards.ts";
import { edgeTerms, forwardSample } from "../src/diffusion/bound.ts";
import { moments } from "../src/diffusion/baselines.ts";
import {
  fromAxes,
  gaussianBase,
  type KernelBase,
  principalAxes,
  toAxes,
} from "../src/diffusion/gaussian_base.ts";
import { inpaint } from "../src/diffusion/inpaint.ts";
import { startF64Pool, stopF64Pool } from "../src/compute/f64/mod.ts";
import { gpu, hasGpu } from "../src/compute/webgpu/device.ts";
import { GpuReverseModel } from "../src/diffusion/gpu_model.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

Deno.test("gaussianBase(): the reverse kernel's mean and variance against a regression of x^{t−1} on x^t in simulated forward chains", () => {
  // two independent coordinates, N(0.8, 9) and N(−0.5, 0.04): one wider than the noise, one
  // narrower, so the kernel's gain sits well away from the forward kernel's √(1 − β) in both
  const mean = Float64Array.of(0.8, -0.5), variance = Float64Array.of(9, 0.04);
  const T = 6;
  const beta = makeSchedule("geometric", T, false, 0.02, 0.4);
  const base = gaussianBase(beta, mean, variance);
  const rng = new Rng(4);
  const n = 200_000;
  for (let k = 0; k < 2; k++) {
    // x^0, then the forward chain step by step (not the closed-form marginals the base uses)
    const xs = Array.from({ length: T + 1 }, () => new Float64Array(n));
    for (let e = 0; e < n; e++) {
      xs[0][e] = mean[k] + Math.sqrt(variance[k]) * rng.normal();
      for (let t = 1; t <= T; t++) {
        const b = beta[t - 1];
        xs[t][e] = Math.sqrt(1 - b) * xs[t - 1][e] + Math.sqrt(b) * rng.normal();
      }
    }
    for (const t of [2, 4, T]) {
      // least squares x^{t−1} = slope x^t + intercept, and the residuals' variance
      const x = xs[t], y = xs[t - 1];
      let mx = 0, my = 0;
      for (let e = 0; e < n; e++) {
        mx += x[e] / n;
        my += y[e] / n;
      }
      let sxx = 0, sxy = 0;
      for (let e = 0; e < n; e++) {
        sxx += (x[e] - mx) ** 2;
        sxy += (x[e] - mx) * (y[e] - my);
      }
      const slope = sxy / sxx, intercept = my - slope * mx;
      let res = 0;
      for (let e = 0; e < n; e++) res += (y[e] - intercept - slope * x[e]) ** 2 / n;
      const v = sigmoid(base.logitVariance[t * 2 + k]);
      // standard errors at n = 200,000: the slope's √(v / Σ(x − x̄)²), the variance's v√(2/n);
      // 5 of them (the intercept's also carries the slope's error times |x̄|)
      const seSlope = Math.sqrt(v / sxx);
      assertAlmostEquals(slope, base.a[t * 2 + k], 5 * seSlope, `slope, coordinate ${k}, t ${t}`);
      assertAlmostEquals(
        intercept,
        base.b[t * 2 + k],
        5 * (Math.sqrt(v / n) + seSlope * Math.abs(mx)),
        `intercept, coordinate ${k}, t ${t}`,
      );
      assertAlmostEquals(res, v, 5 * v * Math.sqrt(2 / n), `variance, coordinate ${k}, t ${t}`);
    }
    // the prior is where the chains end: x^T's mean and variance, to 5 standard errors
    let m = 0, m2 = 0;
    for (let e = 0; e < n; e++) {
      m += xs[T][e] / n;
      m2 += xs[T][e] ** 2 / n;
    }
    const s = base.prior!.variance[k];
    assertAlmostEquals(m, base.prior!.mean[k], 5 * Math.sqrt(s / n), `x^T's mean, coordinate ${k}`);
    assertAlmostEquals(m2 - m * m, s, 5 * s * Math.sqrt(2 / n), `x^T's variance, coordinate ${k}`);
  }
  assertThrows(() => gaussianBase(beta, mean, Float64Array.of(1)), RangeError, "variances");
  // β above ½ on a wide axis: the reverse variance β s_{t−1}/s_t passes 1, which σ(·) cannot hold
  assertThrows(
    () => gaussianBase(Float64Array.of(0.1, 0.8), Float64Array.of(0), Float64Array.of(50)),
    RangeError,
    "β above ½",
  );
});

Deno.test("principalAxes(): orthonormal axes that diagonalise the covariance, variances descending; toAxes and fromAxes inverse, on the pool as in plain loops", async () => {
  const rng = new Rng(6);
  // n × d × d past matmul's POOL_MIN_WORK (64³), so the pool computes the started case
  const d = 5, n = 11_000;
  // correlated rows: x = M z + offset
  const m = Float64Array.from({ length: d * d }, () => rng.normal());
  const x = new Float64Array(n * d);
  for (let e = 0; e < n; e++) {
    const z = Array.from({ length: d }, () => rng.normal());
    for (let i = 0; i < d; i++) {
      let s = i;
      for (let j = 0; j < d; j++) s += m[i * d + j] * z[j];
      x[e * d + i] = s;
    }
  }
  const p = principalAxes(x, d);
  const { mean, cov } = moments(x, d);
  for (let k = 0; k < d; k++) {
    if (k > 0) assert(p.variance[k] <= p.variance[k - 1], "descending");
    for (let l = 0; l < d; l++) {
      let dot = 0, quad = 0;
      for (let i = 0; i < d; i++) {
        dot += p.axes[k * d + i] * p.axes[l * d + i];
        for (let j = 0; j < d; j++) quad += p.axes[k * d + i] * cov[i * d + j] * p.axes[l * d + j];
      }
      assertAlmostEquals(dot, k === l ? 1 : 0, 1e-12);
      assertAlmostEquals(quad, k === l ? p.variance[k] : 0, 1e-10 * p.variance[0]);
    }
    let mk = 0;
    for (let i = 0; i < d; i++) mk += p.axes[k * d + i] * mean[i];
    assertAlmostEquals(p.mean[k], mk, 1e-12);
  }
  const plain = toAxes(p, x);
  assertEquals(fromAxes(p, plain).every((v, i) => Math.abs(v - x[i]) < 1e-11), true);
  await startF64Pool(2);
  try {
    const pooled = toAxes(p, x);
    for (let i = 0; i < x.length; i++) assertAlmostEquals(pooled[i], plain[i], 1e-12);
    const back = fromAxes(p, pooled);
    for (let i = 0; i < x.length; i++) assertAlmostEquals(back[i], x[i], 1e-11);
  } finally {
    stopF64Pool();
  }
});

/** A 3-pixel model on principal axes of correlated data, its base the fitted Gaussian's. */
function baseSetup(count: number, seed: number) {
  const rng = new Rng(seed);
  const d = 3, T = 8;
  const beta = makeSchedule("geometric", T, false, 1e-3, 0.3);
  const pixels = new Float64Array(count * d);
  for (let e = 0; e < count; e++) {
    const z = rng.normal(), w = rng.normal();
    pixels.set([z + 0.2 * w, 2 * z - w, Math.tanh(z * w)], e * d);
  }
  const axes = principalAxes(pixels, d);
  const base: KernelBase = gaussianBase(beta, axes.mean, axes.variance);
  const model = new ReverseModel({ kind: "gaussian", d, hidden: [7, 5], basis: 3 }, beta, base);
  const theta = model.init(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal(); // readout off 0
  const x0 = toAxes(axes, pixels);
  const t = new Int32Array(count).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
  return {
    model,
    theta,
    axes,
    pixels,
    batch: { x0, t, xt: forwardSample(x0, t, model.ab, false, d, rng) },
  };
}

Deno.test("ReverseModel with a kernel base: at zero readout it is the base's kernel; its gradient matches central differences", () => {
  const { model, theta, batch } = baseSetup(9, 2);
  const base = model.base!;
  const zero = model.init(new Rng(1)); // readout 0: m = c = 0
  const r = model.reverse(zero, batch.xt, 0, 5);
  for (let i = 0; i < 3; i++) {
    assertAlmostEquals(r.mean[i], base.a[5 * 3 + i] * batch.xt[i] + base.b[5 * 3 + i], 1e-14);
    assertAlmostEquals(r.variance[i], sigmoid(base.logitVariance[5 * 3 + i]), 1e-14);
  }
  const grad = new Float64Array(model.n);
  model.kl(theta, batch, grad);
  const loss = (th: Float64Array) => model.kl(th, batch).reduce((a, b) => a + b, 0) / 9;
  const h = 1e-6;
  for (let i = 0; i < model.n; i += 7) {
    const up = theta.slice(), down = theta.slice();
    up[i] += h;
    down[i] -= h;
    assertAlmostEquals(grad[i], (loss(up) - loss(down)) / (2 * h), 1e-6, `θ_${i}`);
  }
  assertThrows(
    () => new ReverseModel({ kind: "binomial", d: 3, hidden: [2], basis: 2 }, model.beta, base),
    RangeError,
    "Gaussian",
  );
});

Deno.test("with a kernel base, the float32 model's KL and gradient match the float64 one, and the pool's replicas give the bits of one thread", async () => {
  const { model, theta, batch } = baseSetup(130, 3); // three shards, past one KL block
  const net = await SimdReverseModel.create(model, theta);
  const want = new Float64Array(model.n), got = new Float64Array(model.n);
  const wantLoss = model.kl(theta, batch, want).reduce((a, b) => a + b, 0) / 130;
  const gotLoss = net.lossAndGrad(batch, got);
  assertAlmostEquals(gotLoss, wantLoss, 1e-5 * Math.abs(wantLoss));
  const scale = want.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
  for (let i = 0; i < model.n; i++) assertAlmostEquals(got[i], want[i], 1e-4 * scale, `θ_${i}`);
  const single = new Float64Array(model.n);
  const singleLoss = new ParallelReverseModel(model, net, theta).lossAndGrad(batch, single);
  await startF64Pool(2);
  try {
    const parallel = new ParallelReverseModel(model, net, theta);
    const grad = new Float64Array(model.n);
    // the first calls build the helper's replica (the caller meanwhile takes the shards); a
    // replica without the base would give other KL values: the same bits say it has it
    for (let i = 0; i < 3; i++) parallel.lossAndGrad(batch, grad);
    assertEquals(parallel.lossAndGrad(batch, grad), singleLoss);
    assertEquals(parallel.threads, 2);
    assertEquals(Array.from(grad), Array.from(single));
    assertEquals(Array.from(parallel.kl(batch)), Array.from(net.kl(batch)));
  } finally {
    stopF64Pool();
  }
});

Deno.test("inpainting on principal axes: nothing known is sampling on the axes, draw for draw; everything known returns the image; half known holds those pixels", () => {
  const { model, theta, axes, pixels } = baseSetup(4, 5);
  const net = model.at(theta);
  const none = inpaint(net, pixels, new Uint8Array(3), new Rng(11), new Rng(12), { axes });
  const chain = new Rng(11);
  const xT = drawPrior(net, 4, chain); // the chain starts at the base's prior
  let sampled: Float64Array = new Float64Array(0);
  sampleReverse(net, xT, chain, (_, x) => (sampled = x));
  assertEquals(Array.from(none), Array.from(fromAxes(axes, sampled)));
  const all = inpaint(net, pixels, new Uint8Array(3).fill(1), new Rng(11), new Rng(12), {
    resample: 2,
    axes,
  });
  assertEquals(Array.from(all), Array.from(pixels));
  const frames: number[] = [];
  const half = inpaint(
    net,
    pixels,
    Uint8Array.of(1, 0, 1),
    new Rng(11),
    new Rng(12),
    {
      visit: (t, x) => {
        frames.push(t);
        assertEquals(x.length, pixels.length); // frames are pixels
      },
      resample: 3,
      axes,
    },
  );
  for (let e = 0; e < 4; e++) {
    assertEquals([half[3 * e], half[3 * e + 2]], [pixels[3 * e], pixels[3 * e + 2]]);
    assert(half[3 * e + 1] !== pixels[3 * e + 1]);
  }
  assertEquals(frames, Array.from({ length: 9 }, (_, k) => 8 - k));
  assertThrows(
    () =>
      inpaint(net, pixels, new Uint8Array(3), new Rng(1), new Rng(2), {
        axes: { d: 2, axes: new Float64Array(4) },
      }),
    RangeError,
    "axes",
  );
});

Deno.test("the base's prior: K's cross-entropy term against a Monte Carlo over q(x^T | x^0); drawPrior's moments, and N(0, I) draw for draw without one", () => {
  const { model, batch } = baseSetup(5, 8);
  const prior = model.base!.prior!;
  const { beta, ab } = model;
  const T = beta.length, d = 3, x0 = batch.x0;
  // edgeTerms(π = N(0, I)) − edgeTerms(π = prior) = H_p(X^T) under the prior − under N(0, I):
  // the same samples x^T ~ q(x^T | x^0) estimate both cross-entropies
  const rng = new Rng(3);
  const draws = 40_000;
  let diff = 0, diff2 = 0;
  for (let r = 0; r < draws; r++) {
    for (let e = 0; e < 5; e++) {
      let delta = 0;
      for (let k = 0; k < d; k++) {
        const x = Math.sqrt(ab[T]) * x0[e * d + k] + Math.sqrt(1 - ab[T]) * rng.normal();
        const s = prior.variance[k];
        // −log N(x; m, s) + log N(x; 0, 1)
        delta += 0.5 * Math.log(s) + (x - prior.mean[k]) ** 2 / (2 * s) - x * x / 2;
      }
      diff += delta / (5 * draws);
      diff2 += delta * delta / (5 * draws);
    }
  }
  const se = Math.sqrt((diff2 - diff * diff) / (5 * draws));
  const exact = edgeTerms(beta, ab, x0, d, false) - edgeTerms(beta, ab, x0, d, false, prior);
  assertAlmostEquals(exact, diff, 5 * se);
  // drawPrior: N(m_k, s_k) per coordinate; without a prior, rng's normals as they come
  const many = drawPrior(model.at(model.init(new Rng(1))), 50_000, new Rng(4));
  for (let k = 0; k < d; k++) {
    let m = 0, m2 = 0;
    for (let e = 0; e < 50_000; e++) {
      m += many[e * d + k] / 50_000;
      m2 += many[e * d + k] ** 2 / 50_000;
    }
    const s = prior.variance[k];
    assertAlmostEquals(m, prior.mean[k], 5 * Math.sqrt(s / 50_000));
    assertAlmostEquals(m2 - m * m, s, 5 * s * Math.sqrt(2 / 50_000));
  }
  const plain = new ReverseModel({ kind: "gaussian", d, hidden: [2], basis: 2 }, beta);
  const r = new Rng(6);
  assertEquals(
    Array.from(drawPrior(plain.at(plain.init(new Rng(1))), 2, new Rng(6))),
    Array.from({ length: 6 }, () => r.normal()),
  );
});

Deno.test(
  "with a kernel base, the WebGPU model's KL and gradient match the float64 one, and it starts at the base's prior",
  { ignore: !(await hasGpu()), sanitizeResources: false, sanitizeOps: false },
  async () => {
    const { model, theta, batch } = baseSetup(40, 4);
    const net = await GpuReverseModel.create(model, theta, await gpu());
    try {
      const want = new Float64Array(model.n), got = new Float64Array(model.n);
      const wantKl = model.kl(theta, batch, want);
      await net.lossAndGrad(batch, got);
      const gotKl = await net.kl(batch);
      // float32 products against float64, as tests/webgpu_diffusion_test.ts holds them
      for (let e = 0; e < 40; e++) {
        assertAlmostEquals(
          gotKl[e],
          wantKl[e],
          1e-4 * (Math.abs(wantKl[e]) + 1e-3),
          `example ${e}`,
        );
      }
      const scale = want.reduce((m, g) => Math.max(m, Math.abs(g)), 0);
      for (let i = 0; i < model.n; i++) assertAlmostEquals(got[i], want[i], 1e-4 * scale, `θ_${i}`);
      assertEquals(net.prior, model.base!.prior);
    } finally {
      net.dispose();
    }
  },
);
