import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import {
  alphaBar,
  gaussianEntropy,
  gaussianPosterior,
  makeSchedule,
  reverseEntropyBounds,
} from "../src/diffusion/schedule.ts";
import { knnEntropy } from "../src/diffusion/entropy.ts";
import { heartbeatEntropy } from "../src/diffusion/heartbeat_entropy.ts";
import { ReverseModel, stepEntropy } from "../src/diffusion/model.ts";
import {
  bound,
  edgeTerms,
  forwardSample,
  klPerStep,
  nullLogLikelihood,
} from "../src/diffusion/bound.ts";
import { heartbeat, swissRoll } from "../src/diffusion/data.ts";
import { gaussianCeiling, idealStepEntropy, sampleIdealReverse } from "../src/diffusion/ceiling.ts";
import { Rng } from "../src/random/rng.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { ParamError } from "../src/params/schema.ts";
import diffusion from "../pipelines/diffusion.ts";

const beta = makeSchedule("paper", 40, false);
const ab = alphaBar(beta);

Deno.test("q(x^t | x^0) in closed form matches running the chain step by step", () => {
  const rng = new Rng(1);
  const n = 20000;
  const x0 = 1.3;
  for (const t of [1, 5, 20, 40]) {
    let sum = 0;
    let sum2 = 0;
    for (let i = 0; i < n; i++) {
      let x = x0;
      for (let s = 1; s <= t; s++) {
        x = Math.sqrt(1 - beta[s - 1]) * x + Math.sqrt(beta[s - 1]) * rng.normal();
      }
      sum += x;
      sum2 += x * x;
    }
    const mean = sum / n;
    const variance = sum2 / n - mean * mean;
    const v = 1 - ab[t];
    // 4 standard errors: σ/√n for the mean, σ²√(2/n) for the variance
    assertAlmostEquals(mean, Math.sqrt(ab[t]) * x0, 4 * Math.sqrt(v / n), `mean at t = ${t}`);
    assertAlmostEquals(variance, v, 4 * v * Math.sqrt(2 / n), `variance at t = ${t}`);
  }
});

Deno.test("the Gaussian posterior q(x^{t−1} | x^t, x^0) matches Bayes' rule on a grid", () => {
  const x0 = 0.7;
  const xt = -0.4;
  for (const t of [2, 10, 40]) {
    const bt = beta[t - 1];
    const post = gaussianPosterior(beta, ab, t);
    // q(x^{t−1}|x^t,x^0) ∝ q(x^t|x^{t−1}) q(x^{t−1}|x^0), normalised numerically
    const grid = 20001;
    const lo = -6;
    const hi = 6;
    const h = (hi - lo) / (grid - 1);
    let z = 0;
    let m1 = 0;
    let m2 = 0;
    for (let i = 0; i < grid; i++) {
      const x = lo + i * h;
      const like = Math.exp(-((xt - Math.sqrt(1 - bt) * x) ** 2) / (2 * bt));
      const prior = Math.exp(-((x - Math.sqrt(ab[t - 1]) * x0) ** 2) / (2 * (1 - ab[t - 1])));
      const w = like * prior;
      z += w;
      m1 += w * x;
      m2 += w * x * x;
    }
    const mean = m1 / z;
    const variance = m2 / z - mean * mean;
    // a 20,001-point rule on a Gaussian of std ≥ 0.1 is accurate far beyond 1e-9
    assertAlmostEquals(post.a * x0 + post.b * xt, mean, 1e-9, `mean at t = ${t}`);
    assertAlmostEquals(post.variance, variance, 1e-9, `variance at t = ${t}`);
  }
});

Deno.test("entropy bounds: lower ≤ upper, and a Gaussian's H(X^{t−1}|X^t) lies between them", () => {
  for (const d of [1, 2]) {
    const bounds = reverseEntropyBounds(beta, d, false);
    for (const b of bounds) assert(b.lower === null || b.lower <= b.upper + 1e-12, `t = ${b.t}`);
    // data x^0 ~ N(0, s²): every marginal is Gaussian, and
    // H(X^{t−1}|X^t) = H(X^{t−1}) + H(X^t|X^{t−1}) − H(X^t) in closed form. The upper bound
    // needs entropy to grow along the forward process, so s² ≤ 1 (the paper scales data to
    // unit variance); at s² = 4 it fails at t = 2, as it should
    for (const s2 of [0.01, 0.5, 1]) {
      const v = (t: number) => ab[t] * s2 + 1 - ab[t];
      for (let t = 2; t <= 40; t++) {
        const exact = gaussianEntropy(d, v(t - 1)) + gaussianEntropy(d, beta[t - 1]) -
          gaussianEntropy(d, v(t));
        const { lower, upper } = bounds[t - 1];
        assert(lower! <= exact + 1e-12 && exact <= upper + 1e-12, `t = ${t}, s² = ${s2}`);
      }
    }
    // the upper bound is the forward step's own entropy, in closed form
    assertAlmostEquals(bounds[4].upper, 0.5 * d * Math.log(2 * Math.PI * Math.E * beta[4]), 1e-12);
  }
  const binary = reverseEntropyBounds(makeSchedule("paper", 50, true), 20, true);
  for (const b of binary) assert(b.lower! <= b.upper + 1e-12, `binomial t = ${b.t}`);
});

Deno.test("k-NN entropy estimator: Gaussians and uniforms of known entropy", () => {
  const rng = new Rng(4);
  const n = 2000;
  // 2-D Gaussian with stds 1 and 0.3: H = log(2πe · 0.3)
  const g = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    g[2 * i] = rng.normal();
    g[2 * i + 1] = 0.3 * rng.normal();
  }
  // the KL estimator's error at N = 2000 in 2-D is a few hundredths of a nat (Kraskov et al. 2004)
  assertAlmostEquals(knnEntropy(g, 2, 3), Math.log(2 * Math.PI * Math.E * 0.3), 0.05);
  // uniform on [0, 2] × [0, 0.5]: H = log(1) = 0 (edges bias it slightly up)
  const u = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    u[2 * i] = 2 * rng.uniform();
    u[2 * i + 1] = 0.5 * rng.uniform();
  }
  assertAlmostEquals(knnEntropy(u, 2, 3), 0, 0.05);
  // 1-D uniform on [0, 3]: log 3
  const u1 = Float64Array.from({ length: n }, () => 3 * rng.uniform());
  assertAlmostEquals(knnEntropy(u1, 1, 3), Math.log(3), 0.05);
});

Deno.test("heartbeat: exact marginal entropy from log 5 (ᾱ = 1) to 20 log 2 (ᾱ = 0)", () => {
  assertAlmostEquals(heartbeatEntropy(1), Math.log(5), 1e-12);
  assertAlmostEquals(heartbeatEntropy(0), 20 * Math.log(2), 1e-10);
  // in between, against a plug-in estimate over all 2^20 sequences is too slow; instead
  // monotone in ᾱ (more noise, more entropy)
  let prev = Infinity;
  for (const a of [0.05, 0.2, 0.5, 0.8, 0.99]) {
    const h = heartbeatEntropy(a);
    assert(h < prev && h > Math.log(5));
    prev = h;
  }
  // every training sequence has exactly four ones, one phase
  const x = heartbeat(100, new Rng(2));
  for (let i = 0; i < 100; i++) {
    assertEquals(x.subarray(20 * i, 20 * i + 20).reduce((s, v) => s + v, 0), 4);
  }
});

Deno.test("K − null: K_minus_null − K is minus the null model's log-likelihood, exactly", async () => {
  const rng = new Rng(6);
  const model = new ReverseModel({ kind: "gaussian", d: 2, hidden: [4], basis: 40 }, beta);
  const theta = model.init(rng);
  const test = swissRoll(200, rng);
  const b = await bound(model.at(theta), test, rng);
  // the null log-likelihood, computed independently: mean of −½‖x‖² − log 2π, in bits
  let direct = 0;
  for (let i = 0; i < 200; i++) {
    direct += -0.5 * (test[2 * i] ** 2 + test[2 * i + 1] ** 2) - Math.log(2 * Math.PI);
  }
  direct /= 200 * Math.LN2;
  assertAlmostEquals(b.nullBits, direct, 1e-12);
  assertEquals((b.kBits - b.nullBits) - b.kBits, -nullLogLikelihood(test, 2, false) / Math.LN2);
  // an untrained model is the forward kernel reversed: about as good as the null model
  assertAlmostEquals(b.kBits, b.nullBits, 0.5);
});

Deno.test("reverse model: the gradient of the KL objective matches central differences", () => {
  for (const kind of ["gaussian", "binomial"] as const) {
    const rng = new Rng(2);
    const T = 10;
    const d = kind === "gaussian" ? 2 : 20;
    const b = makeSchedule("paper", T, kind === "binomial");
    const model = new ReverseModel({ kind, d, hidden: [5, 4], basis: 3 }, b);
    const theta = model.init(rng);
    for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal(); // readout off 0
    const x0 = kind === "gaussian" ? swissRoll(7, rng) : heartbeat(7, rng);
    const t = new Int32Array(7).map(() => 2 + Math.floor(rng.uniform() * (T - 1)));
    const xt = forwardSample(x0, t, model.ab, kind === "binomial", d, rng);
    const f = (th: Float64Array) => model.kl(th, { x0, xt, t }).reduce((a, v) => a + v, 0) / 7;
    const grad = new Float64Array(model.n);
    model.kl(theta, { x0, xt, t }, grad);
    for (let i = 0; i < model.n; i++) {
      const p = theta.slice();
      const m = theta.slice();
      p[i] += 1e-6;
      m[i] -= 1e-6;
      const fd = (f(p) - f(m)) / 2e-6;
      // central differences at h = 1e-6 are good to ~1e-9 absolute here; 1e-6 relative + 1e-8
      assertAlmostEquals(grad[i], fd, 1e-6 * Math.abs(fd) + 1e-8, `${kind} parameter ${i}`);
    }
  }
});

Deno.test("ceiling: on Gaussian data, whose every reverse step is Gaussian, it is the exact log-likelihood", async () => {
  // x^0 ~ N(0, σ² I): the true reverse kernels are Gaussian, so moment matching finds them
  // and K is tight up to KL(q(x^T) ‖ π) (2e-4 nats here). Above the exact value only by
  // sampling noise (≈ 0.02 bits); below it by the empirical posterior's lumpiness, 1,500
  // points ≈ 0.03 apart against √β_1 = 0.16 (0.05–0.09 bits over three seeds).
  const rng = new Rng(2);
  const sigma = 0.5;
  const draw = (n: number) => {
    const x = new Float64Array(2 * n);
    rng.fillNormal(x, sigma);
    return x;
  };
  const train = draw(1500), test = draw(300);
  let exact = 0;
  for (const v of test) {
    exact += -0.5 * Math.log(2 * Math.PI * sigma * sigma) - v * v / (2 * sigma * sigma);
  }
  exact /= 300 * Math.LN2;
  const schedule = makeSchedule("paper", 40, false, 0, 0);
  const ceiling = await gaussianCeiling(schedule, train, test, 2, rng);
  const c = ceiling.bits;
  assert(c <= exact + 0.05 && c >= exact - 0.2, `ceiling ${c} bits against exact ${exact}`);
  // Step by step, the true reverse kernel's KL term is I(X^{t−1}; X^0 | X^t), for Gaussians
  // ½ log(Var(x^{t−1}|x^t) / Var(x^{t−1}|x^t,x^0)) per dimension, with x^{t−1} ~ N(0, s):
  // Var(x^{t−1}|x^t) = 1/(1/s + (1−β_t)/β_t). 300 held-out points give each step's mean
  // to ≈ 5–8% (measured: within 1% at t = 2–4, 15% at t = 24 where the term is 0.015
  // nats), so 20% + 0.002 nats.
  const abar = alphaBar(schedule);
  for (let t = 2; t <= 40; t++) {
    const s = abar[t - 1] * sigma * sigma + 1 - abar[t - 1];
    const bt = schedule[t - 1];
    const given = 1 / (1 / s + (1 - bt) / bt);
    const mi = 2 * 0.5 * Math.log(given / gaussianPosterior(schedule, abar, t).variance);
    assert(
      Math.abs(ceiling.kl[t] - mi) < 0.2 * mi + 0.002,
      `t = ${t}: ideal KL ${ceiling.kl[t]}, I(X^{t−1}; X^0 | X^t) = ${mi}`,
    );
  }
});

Deno.test("KL per step: the untrained model (the forward kernel) against its closed form, and K is their sum", async () => {
  // At init the readout is 0, so p(x^{t−1}|x^t) = N(√(1−β_t) x^t, β_t): its KL from the
  // posterior N(a x^0 + b x^t, v) averaged over x^t ~ N(√ᾱ_t x^0, 1 − ᾱ_t) is closed form,
  // ½[log(β_t/v) + (v + (a + c√ᾱ_t)² x0² + c²(1 − ᾱ_t))/β_t − 1] with c = b − √(1−β_t).
  // 2,000 points: each step's mean to ≈ 2% (its spread over x^t; measured within 4.6% at
  // every t); 10%.
  const rng = new Rng(12);
  const model = new ReverseModel({ kind: "gaussian", d: 2, hidden: [8], basis: 40 }, beta);
  const theta = model.init(rng);
  const x0 = swissRoll(2000, rng);
  const got = await klPerStep(model.at(theta), x0, rng);
  let sq = 0;
  for (const v of x0) sq += v * v / 2000;
  for (let t = 2; t <= 40; t++) {
    const bt = beta[t - 1];
    const { a, b, variance: v } = gaussianPosterior(beta, ab, t);
    const c = b - Math.sqrt(1 - bt);
    const diff2 = (a + c * Math.sqrt(ab[t])) ** 2 * sq + 2 * c * c * (1 - ab[t]);
    const want = Math.log(bt / v) + (2 * v + diff2) / (2 * bt) - 1;
    assert(Math.abs(got[t] - want) < 0.1 * want, `t = ${t}: ${got[t]} against ${want}`);
  }
  assertEquals([got[0], got[1]], [0, 0]);
  // bound() sums the same terms with the same draws: equal to rounding
  const k = (await bound(model.at(theta), x0, new Rng(3))).kBits;
  const sum = (await klPerStep(model.at(theta), x0, new Rng(3))).reduce((p, q) => p + q, 0);
  const edge = edgeTerms(beta, ab, x0, 2, false);
  assertAlmostEquals(k, (edge - sum) / Math.LN2, 1e-9);
});

Deno.test("ceiling: on the Swiss roll it lies above the forward kernel's K (the null) and rises as β_1 falls", async () => {
  const rng = new Rng(8);
  const train = swissRoll(1500, rng), test = swissRoll(200, rng);
  const nullBits = nullLogLikelihood(test, 2, false) / Math.LN2;
  const paper =
    (await gaussianCeiling(makeSchedule("paper", 40, false, 0, 0), train, test, 2, rng)).bits;
  const small = (await gaussianCeiling(
    makeSchedule("geometric", 40, false, 1e-4, 0.3),
    train,
    test,
    2,
    rng,
  )).bits;
  // the forward kernel is one Gaussian reverse kernel and scores the null exactly
  assert(paper > nullBits + 0.5, `paper schedule: ceiling ${paper}, null ${nullBits}`);
  // −H_q(X^1|X^0) = −log(2πe β_1) grows as β_1 shrinks, and the roll is a curve: no limit
  assert(small > paper + 2, `β_1 = 1e-4: ceiling ${small}; paper schedule (β_1 = 0.026) ${paper}`);
});

Deno.test("ideal reverse chain: on Gaussian data its marginals are the forward ones, ᾱ_t σ² + 1 − ᾱ_t", async () => {
  // Time reversal made concrete: from N(0, I) noise the moment-matched kernels walk the
  // particles back through the forward marginals. 1,000 particles: a variance to ≈ 4.5%
  // (one standard error); 15% allows three of them and the empirical posterior's bias.
  const rng = new Rng(4);
  const sigma = 0.5, d = 2, n = 1000;
  const beta = makeSchedule("paper", 40, false, 0, 0);
  const ab = alphaBar(beta);
  const train = new Float64Array(1000 * d);
  rng.fillNormal(train, sigma);
  const xT = new Float64Array(n * d);
  rng.fillNormal(xT);
  const seen: number[] = [];
  await sampleIdealReverse(beta, train, xT, d, rng, (t, x) => {
    if (![20, 5, 1, 0].includes(t)) return;
    let sq = 0;
    for (const v of x) sq += v * v;
    const expected = t === 0
      ? (1 - beta[0]) * (ab[1] * sigma ** 2 + 1 - ab[1]) + beta[0] // the last step is the forward kernel
      : ab[t] * sigma ** 2 + 1 - ab[t];
    const got = sq / x.length;
    assert(Math.abs(got / expected - 1) < 0.15, `t = ${t}: variance ${got}, forward ${expected}`);
    seen.push(t);
  });
  assertEquals(seen, [20, 5, 1, 0]);
});

Deno.test("diffusion: a short run streams bound, loss, entropy and samples; bad schedules are clear errors", async () => {
  const rows = await pipelineRows(diffusion, {
    preset: "released",
    steps: 8,
    train_steps: 30,
    batch: 20,
    train_size: 200,
    test_size: 50,
    evals: 3,
    particles: 40,
  }, "d");
  assertEquals(rows.at(-1)!.status, "ok");
  const of = (s: string) => rows.filter((r) => r.stream === s);
  assertEquals(of("bound").length, 4); // step 0 and three evaluations
  for (const r of of("bound")) {
    assert(typeof r.ceiling_bits === "number", "the ceiling on every bound row");
    // and the any-kernel limit above it (T = 8 keeps β_1 = 1/8 + 1e-3: a coarse blur)
    assert((r.limit_bits as number) >= (r.ceiling_bits as number) - 0.3, JSON.stringify(r));
  }
  assert(of("loss").length > 0);
  // each reverse step's KL term, t = 2…8, the model's beside the ideal kernels'
  assertEquals(of("kl_by_step").map((r) => r.t), [2, 3, 4, 5, 6, 7, 8]);
  for (const r of of("kl_by_step")) {
    assert((r.model_kl as number) > 0 && (r.ideal_kl as number) > 0, JSON.stringify(r));
  }
  const entropy = of("entropy");
  assertEquals(entropy.length, 3 * 9); // t = 0…8: forward, the model's reverse, the ideal reverse
  for (const r of entropy) assert(Number.isFinite(r.entropy as number));
  // each reverse step's entropy on the forward rows from t = 2; the ideal kernel's is a
  // Gaussian's, never under the true step's and so never under the lower bound
  for (const r of entropy) {
    const has = r.direction === "forward" && (r.t as number) >= 2;
    assertEquals(typeof r.model_step_entropy, has ? "number" : "object", JSON.stringify(r));
    assertEquals(typeof r.ideal_step_entropy, has ? "number" : "object", JSON.stringify(r));
    if (has) assert((r.ideal_step_entropy as number) >= (r.lower as number), JSON.stringify(r));
  }
  assertEquals(of("samples").filter((r) => r.t === 0).length, 3 * 40);

  // past T = 200 the ceiling and the ideal chain (cost ∝ T) are skipped, and say so
  const long = await pipelineRows(diffusion, {
    preset: "released",
    steps: 201,
    train_steps: 2,
    batch: 5,
    train_size: 50,
    test_size: 10,
    evals: 1,
    particles: 20,
  }, "d2");
  assertEquals(long.at(-1)!.status, "ok");
  assert(long.filter((r) => r.stream === "bound").every((r) => r.ceiling_bits === null));
  assertEquals(long.filter((r) => r.direction === "ideal").length, 0);
  assertEquals(long.filter((r) => r.stream === "kl_by_step").length, 0);

  assertThrows(() => resolveRunParams(diffusion, { steps: 1 }), ParamError, "at least 2");
  assertThrows(() => resolveRunParams(diffusion, { beta_max: 1.5 }), ParamError, "beta_max");
  assertThrows(
    () => resolveRunParams(diffusion, { schedule: "linear", beta_min: 0.5, beta_max: 0.1 }),
    ParamError,
    "beta_min must be at most beta_max",
  );
});

Deno.test("step entropy: the untrained network's reverse step is the forward kernel, its entropy the upper bound", () => {
  // readout 0 at init: variance σ(logit β_t) = β_t (Gaussian), p = x^t(1−β_t) + β_t/2 per bit
  // (binomial, which for x^t ∈ {0, 1} has the entropy of β_t/2): both are H_q(X^t|X^{t−1})
  const rng = new Rng(14);
  for (const binomial of [false, true]) {
    const d = binomial ? 20 : 2;
    const b = makeSchedule("paper", 40, binomial);
    const model = new ReverseModel(
      { kind: binomial ? "binomial" : "gaussian", d, hidden: [6], basis: 40 },
      b,
    );
    const theta = model.init(rng);
    const x0 = binomial ? heartbeat(50, rng) : swissRoll(50, rng);
    const bounds = reverseEntropyBounds(b, d, binomial);
    for (const t of [2, 10, 40]) {
      const xt = forwardSample(x0, t, model.ab, binomial, d, rng);
      assertAlmostEquals(stepEntropy(model.at(theta), xt, t), bounds[t - 1].upper, 1e-9);
    }
  }
});

Deno.test("step entropy: the ideal kernels on Gaussian data have the true reverse step's entropy, inside the bounds", () => {
  // x^0 ~ N(0, σ² I): q(x^{t−1}|x^t) is Gaussian with variance 1/(1/s + (1−β_t)/β_t), s the
  // variance of x^{t−1}, the same for every x^t, so H = d · ½ log(2πe · that). The empirical
  // posterior over 1,500 points is lumpy where √β_t is small against their spacing (≈ 0.03):
  // measured within 0.003 nats at t = 2, 5, 20, 40; 0.05 nats allowed.
  const rng = new Rng(15);
  const sigma = 0.5, d = 2;
  const b = makeSchedule("paper", 40, false);
  const abar = alphaBar(b);
  const train = new Float64Array(1500 * d);
  rng.fillNormal(train, sigma);
  const x0 = new Float64Array(400 * d);
  rng.fillNormal(x0, sigma);
  const bounds = reverseEntropyBounds(b, d, false);
  for (const t of [2, 5, 20, 40]) {
    const xt = forwardSample(x0, t, abar, false, d, rng);
    const s = abar[t - 1] * sigma * sigma + 1 - abar[t - 1];
    const v = 1 / (1 / s + (1 - b[t - 1]) / b[t - 1]);
    const exact = d * 0.5 * Math.log(2 * Math.PI * Math.E * v);
    const got = idealStepEntropy(b, train, xt, t, d);
    assert(Math.abs(got - exact) < 0.05, `t = ${t}: ${got} against ${exact}`);
    // the theorem: the true step entropy lies between the bounds
    assert(exact >= bounds[t - 1].lower! && exact <= bounds[t - 1].upper, `t = ${t}`);
  }
});
