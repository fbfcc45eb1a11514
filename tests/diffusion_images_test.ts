/**
 * Image data for diffusion (src/diffusion/images.ts) and the baselines K is read against
 * (baselines.ts), against closed forms.
 */
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { Rng } from "../src/random/rng.ts";
import {
  deadLeavesImage,
  deadLeavesPatches,
  dequantise,
  fitScaling,
  mnistPatches,
  patches,
} from "../src/diffusion/images.ts";
import { baselines, gaussianBits, moments } from "../src/diffusion/baselines.ts";
import { inpaint, inpaintMean } from "../src/diffusion/inpaint.ts";
import { ReverseModel, sampleReverse } from "../src/diffusion/model.ts";
import { makeSchedule } from "../src/diffusion/schedule.ts";
import { SimdReverseModel } from "../src/diffusion/simd_model.ts";
import { bound, forwardSample } from "../src/diffusion/bound.ts";
import { ParamError, resolveParams } from "../src/params/schema.ts";
import imageDiffusion, { resolveImageParams } from "../pipelines/image_diffusion.ts";

Deno.test("dead leaves: every pixel covered by one leaf, flat within leaves, correlation falling with distance", () => {
  const rng = new Rng(2);
  let near = 0, far = 0, pairs = 0;
  for (let k = 0; k < 40; k++) {
    const img = deadLeavesImage(32, rng);
    assert(img.length === 1024);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x + 8 < 32; x++) {
        near += Number(img[y * 32 + x] === img[y * 32 + x + 1]);
        far += Number(img[y * 32 + x] === img[y * 32 + x + 8]);
        pairs++;
      }
    }
  }
  // grey levels are drawn uniformly from 256, so unequal leaves rarely share one (1/256):
  // neighbours share a leaf most of the time, pixels 8 apart far less often
  assert(near / pairs > 0.6, `neighbours equal ${near / pairs}`);
  assert(far / pairs < 0.6 * (near / pairs), `8 apart equal ${far / pairs}`);
  assertThrows(
    () => patches(new Uint8Array(1024), 32, 6),
    RangeError,
    "patch 6 does not divide 32",
  );
  const p = deadLeavesPatches(20, 8, new Rng(1));
  assert(p.length === 20 && p.every((x) => x.length === 64));
});

Deno.test("dequantisation: the scaling's moments in closed form, and scaled data at mean 0, variance 1", () => {
  // one level k: (k + u)/256 has mean (k + ½)/256 and variance 1/(12 · 256²)
  const s = fitScaling([Uint8Array.of(100, 100, 100)]);
  assertAlmostEquals(s.mean, 100.5 / 256, 1e-15);
  assertAlmostEquals(s.std, 1 / (256 * Math.sqrt(12)), 1e-12);
  // many patches: the dequantised x has mean ≈ 0 and variance ≈ 1 (to sampling, 1e4 pixels)
  const imgs = deadLeavesPatches(200, 8, new Rng(3));
  const x = dequantise(imgs, fitScaling(imgs), new Rng(4));
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + b * b, 0) / x.length - mean * mean;
  assertAlmostEquals(mean, 0, 0.02);
  assertAlmostEquals(variance, 1, 0.02);
});

Deno.test("mnist patches: block averages of the digits, and a patch that does not divide 28 refused", () => {
  const { images, labels } = mnistPatches(0, 1, 14);
  assert(images.length === 10 && labels.length === 10);
  assert(images.every((im) => im.length === 196 && im.some((v) => v > 128)));
  assertThrows(() => mnistPatches(0, 1, 10), RangeError, "patch 10 does not divide 28");
});

Deno.test("baselines: the Gaussian's bits per pixel against a hand-written 2-D density, the factorial's against 1-D ones", () => {
  const rng = new Rng(5);
  const n = 400, d = 2;
  const train = new Float64Array(n * d);
  for (let e = 0; e < n; e++) {
    const a = rng.normal(), b = rng.normal();
    train[2 * e] = 1 + 2 * a;
    train[2 * e + 1] = -0.5 + a + 0.5 * b; // correlated with the first
  }
  const test = Float64Array.of(0.3, 0.1, 2, 1.5, -1, -1);
  const { mean, cov } = moments(train, d);
  // the 2-D density by hand: det and inverse of a 2 × 2 matrix
  const [a, b, c] = [cov[0], cov[1], cov[3]];
  const det = a * c - b * b;
  let want = 0;
  for (let e = 0; e < 3; e++) {
    const u = test[2 * e] - mean[0], v = test[2 * e + 1] - mean[1];
    const q = (c * u * u - 2 * b * u * v + a * v * v) / det;
    want += (-Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * q) / Math.LN2 / 3;
  }
  assertAlmostEquals(gaussianBits(mean, cov, test, d), want / d, 1e-12);
  const [g, f] = baselines(train, test, d);
  assert(g.model === "gaussian" && f.model === "factorial");
  assertAlmostEquals(g.bits_per_pixel, want / d, 1e-12);
  let fac = 0;
  for (let e = 0; e < 3; e++) {
    for (let i = 0; i < d; i++) {
      const s2 = cov[i * d + i], z = test[2 * e + i] - mean[i];
      fac += (-0.5 * Math.log(2 * Math.PI * s2) - (z * z) / (2 * s2)) / Math.LN2 / 3;
    }
  }
  assertAlmostEquals(f.bits_per_pixel, fac / d, 1e-12);
  // on white noise the Gaussian's bits per pixel approach −½ log₂(2πe) (sampling: ≈ 0.01)
  const white = new Float64Array(4000 * 4).map(() => rng.normal());
  const [gw] = baselines(white.subarray(0, 12000), white.subarray(12000), 4);
  assertAlmostEquals(gw.bits_per_pixel, -0.5 * Math.log2(2 * Math.PI * Math.E), 0.05);
});

/**
 * A 4-pixel image model (2 × 2 patches, T = 12) with its readout off 0, so the chain depends on
 * x, and three images to inpaint.
 */
function fourPixelModel(seed: number) {
  const rng = new Rng(seed);
  const beta = makeSchedule("geometric", 12, false, 1e-3, 0.3);
  const model = new ReverseModel({ kind: "gaussian", d: 4, hidden: [6], basis: 12 }, beta);
  const theta = model.init(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal();
  return { net: model.at(theta), x0: Float64Array.from({ length: 3 * 4 }, () => rng.normal()) };
}

Deno.test("inpainting: nothing known is sampling, draw for draw; everything known returns the image", () => {
  const { net, x0 } = fourPixelModel(7);
  const none = inpaint(net, x0, new Uint8Array(4), new Rng(11), new Rng(12));
  const xT = new Float64Array(12);
  const chain = new Rng(11);
  for (let i = 0; i < 12; i++) xT[i] = chain.normal();
  let sampled: Float64Array = new Float64Array(0);
  sampleReverse(net, xT, chain, (_, x) => (sampled = x));
  assertEquals(Array.from(none), Array.from(sampled));
  const all = inpaint(net, x0, new Uint8Array(4).fill(1), new Rng(11), new Rng(12));
  assertEquals(Array.from(all), Array.from(x0));
  // half known: those pixels are the image's, the others the chain's (and not the image's)
  const frames: number[] = [];
  const half = inpaint(
    net,
    x0,
    Uint8Array.of(1, 1, 0, 0),
    new Rng(11),
    new Rng(12),
    { visit: (t) => frames.push(t) },
  );
  for (let e = 0; e < 3; e++) {
    assertEquals([half[4 * e], half[4 * e + 1]], [x0[4 * e], x0[4 * e + 1]]);
    assert(half[4 * e + 2] !== x0[4 * e + 2]);
  }
  assertEquals(frames, Array.from({ length: 13 }, (_, k) => 12 - k));
});

Deno.test("inpainting's resampling: `resample` passes at each step t > resampleAbove × T, one below; bad values refused", () => {
  const { net, x0 } = fourPixelModel(9);
  const known = Uint8Array.of(1, 0, 1, 0);
  // count the reverse kernels' calls: steps T = 12…2 (step 1 is the forward kernel reversed)
  let calls: number[] = [];
  const counted = {
    ...net,
    reverseAll: (x: Float64Array, t: number) => {
      calls.push(t);
      return net.reverseAll(x, t);
    },
  };
  const run = (opts: Parameters<typeof inpaint>[5]) => {
    calls = [];
    inpaint(counted, x0, known, new Rng(1), new Rng(2), opts);
    return calls;
  };
  assertEquals(run({}), Array.from({ length: 11 }, (_, k) => 12 - k));
  // every step 3 times (resampleAbove 0: RePaint's)
  assertEquals(run({ resample: 3 }), Array.from({ length: 33 }, (_, k) => 12 - Math.floor(k / 3)));
  // above T/2 = 6: t = 12…7 three times each, then 6…2 once
  const above = run({ resample: 3, resampleAbove: 0.5 });
  assertEquals(above.length, 6 * 3 + 5);
  assertEquals(above.filter((t) => t > 6).length, 18);
  assertEquals(above.slice(18), [6, 5, 4, 3, 2]);
  assertThrows(() => run({ resample: 0 }), RangeError, "resample");
  assertThrows(() => run({ resampleAbove: 1 }), RangeError, "resampleAbove");
});

Deno.test("inpainting's mean of chains: one chain is inpaint's, K chains their average, the known pixels exact", () => {
  const { net, x0 } = fourPixelModel(8);
  const known = Uint8Array.of(1, 1, 0, 0);
  // one chain: inpaint's draws, with its known-pixel stream the first int32 of the rng
  const one = inpaintMean(net, x0, known, new Rng(5), 1, { resample: 2 });
  const r = new Rng(5);
  assertEquals(one, inpaint(net, x0, known, r, new Rng(r.int32() >>> 0), { resample: 2 }));
  // three: the average of the three chains the streams give, drawn independently here
  const s = new Rng(5);
  const chains = [inpaint(net, x0, known, s, new Rng(s.int32() >>> 0), { resample: 2 })];
  for (let c = 1; c < 3; c++) {
    chains.push(
      inpaint(net, x0, known, new Rng(s.int32() >>> 0), new Rng(s.int32() >>> 0), { resample: 2 }),
    );
  }
  const mean = inpaintMean(net, x0, known, new Rng(5), 3, { resample: 2 });
  for (let i = 0; i < mean.length; i++) {
    assertAlmostEquals(mean[i], (chains[0][i] + chains[1][i] + chains[2][i]) / 3, 1e-14);
  }
  // the known pixels are the image's in every chain, so in the mean; the unknown ones differ
  for (let e = 0; e < 3; e++) {
    for (const i of [0, 1]) assertAlmostEquals(mean[4 * e + i], x0[4 * e + i], 1e-14);
    assert(chains[0][4 * e + 2] !== chains[1][4 * e + 2], "independent chains");
  }
  assertThrows(() => inpaintMean(net, x0, known, new Rng(5), 0), RangeError, "chains");
});

Deno.test("inpainting: the known pixels at step t follow the forward marginal N(√ᾱ_t x⁰, 1 − ᾱ_t)", () => {
  const beta = makeSchedule("geometric", 8, false, 1e-2, 0.3);
  const model = new ReverseModel({ kind: "gaussian", d: 2, hidden: [3], basis: 8 }, beta);
  const net = model.at(model.init(new Rng(1)));
  const n = 4000;
  const x0 = new Float64Array(2 * n).fill(1.5);
  const t = 4;
  let s = 0, s2 = 0;
  inpaint(net, x0, Uint8Array.of(1, 0), new Rng(2), new Rng(3), {
    visit: (step, x) => {
      if (step !== t) return;
      for (let e = 0; e < n; e++) {
        s += x[2 * e] / n;
        s2 += x[2 * e] ** 2 / n;
      }
    },
  });
  const ab = model.ab[t];
  // 4,000 draws: the mean to ≈ 4σ/√n, the variance to ≈ 4·√2σ²/√n
  assertAlmostEquals(s, Math.sqrt(ab) * 1.5, 4 * Math.sqrt((1 - ab) / n));
  assertAlmostEquals(s2 - s * s, 1 - ab, 4 * Math.SQRT2 * (1 - ab) / Math.sqrt(n));
});

Deno.test("K's terms on a 4-pixel image (2 × 2 dead-leaves patches): the float32 model's against the float64 reference", async () => {
  // the image model is the Gaussian reverse model at d = patch²; its per-example KL terms
  // (K's summands) in float32 match float64 to ≈ 1e-6 relative (tests/diffusion_simd_test.ts)
  const rng = new Rng(8);
  const imgs = deadLeavesPatches(37, 2, rng);
  const x0 = dequantise(imgs, fitScaling(imgs), rng);
  const beta = makeSchedule("geometric", 10, false, 1e-4, 0.3);
  const model = new ReverseModel({ kind: "gaussian", d: 4, hidden: [9, 5], basis: 4 }, beta);
  const theta = model.init(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal();
  const t = new Int32Array(37).map(() => 2 + Math.floor(rng.uniform() * 9));
  const batch = { x0, t, xt: forwardSample(x0, t, model.ab, false, 4, rng) };
  const simd = await SimdReverseModel.create(model, theta);
  const want = model.kl(theta, batch), got = simd.kl(batch);
  for (let e = 0; e < 37; e++) {
    assertAlmostEquals(got[e], want[e], 1e-4 * (Math.abs(want[e]) + 1e-3), `example ${e}`);
  }
  // and K in bits per pixel is K per example over the 4 pixels, the edge terms included
  const kBits = (await bound(simd, x0, new Rng(3))).kBits;
  const kRef = (await bound(model.at(theta), x0, new Rng(3))).kBits;
  assertAlmostEquals(kBits / 4, kRef / 4, 1e-4 * Math.abs(kRef));
});

Deno.test("image-diffusion: bad sizes are refused naming the param and what is allowed", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ patch: 6 }, "patch", "must divide 32 for dead-leaves, got 6"],
    [{ dataset: "mnist", patch: 8 }, "patch", "must divide 28 for mnist, got 8"],
    [{ dataset: "mnist", mask_rows: 15 }, "mask_rows", "must be at most the patch's 14 rows"],
    [{ patch: 4, mask_rows: 5 }, "mask_rows", "must be at most the patch's 4 rows"],
    [{ steps: 5, basis: 6 }, "basis", "must be at most T (5)"],
    [{ train_size: 64 }, "train_size", "must exceed the 64 pixels of an image"],
    [{ dataset: "mnist", train_size: 6000 }, "train_size", "with test_size must leave 300 digits"],
    [{ base: "gaussian", beta_max: 0.6 }, "beta_max", "must be at most 0.5 with base gaussian"],
  ];
  for (const [input, param, problem] of cases) {
    try {
      const p = resolveParams(imageDiffusion.params, input);
      imageDiffusion.check!(p);
      throw new Error(`${JSON.stringify(input)} was accepted`);
    } catch (e) {
      assert(e instanceof ParamError && e.param === param, `${JSON.stringify(input)}: ${e}`);
      assert(e.problem.startsWith(problem), e.problem);
    }
  }
  // the defaults resolve per dataset
  assertEquals(resolveImageParams({ ...resolveParams(imageDiffusion.params, {}) }).patch, 8);
  const mnist = resolveImageParams(resolveParams(imageDiffusion.params, { dataset: "mnist" }));
  assertEquals([mnist.patch, mnist.mask_rows], [14, 7]);
});

Deno.test("the image forward process: q(x^t | x^0) per pixel is N(√ᾱ_t x⁰, 1 − ᾱ_t), in closed form", () => {
  // one 8 × 8 dead-leaves patch diffused 4,000 times to t = 3 and to t = 10: each pixel's mean
  // and variance over the draws against the closed form (4σ/√n and 4√2σ²/√n: sampling only)
  const beta = makeSchedule("geometric", 10, false, 1e-3, 0.3);
  const ab = new ReverseModel({ kind: "gaussian", d: 64, hidden: [2], basis: 10 }, beta).ab;
  const rng = new Rng(9);
  const imgs = deadLeavesPatches(1, 8, rng);
  const x = dequantise(imgs, fitScaling(deadLeavesPatches(50, 8, new Rng(1))), rng);
  const n = 4000;
  const x0 = new Float64Array(n * 64);
  for (let e = 0; e < n; e++) x0.set(x, e * 64);
  for (const t of [3, 10]) {
    const xt = forwardSample(x0, new Int32Array(n).fill(t), ab, false, 64, rng);
    for (let i = 0; i < 64; i += 7) {
      let s = 0, s2 = 0;
      for (let e = 0; e < n; e++) {
        s += xt[e * 64 + i] / n;
        s2 += xt[e * 64 + i] ** 2 / n;
      }
      const v = 1 - ab[t];
      assertAlmostEquals(s, Math.sqrt(ab[t]) * x[i], 4 * Math.sqrt(v / n), `t ${t}, pixel ${i}`);
      assertAlmostEquals(s2 - s * s, v, 4 * Math.SQRT2 * v / Math.sqrt(n), `t ${t}, pixel ${i}`);
    }
  }
});
