/**
 * Deep and cheap (src/cheap; THEORY.md §8): the gates against their Taylor series, the
 * constructions exact as λ → 0, decimation against a partial trace and the transfer matrix,
 * the Wolff sampler against Kaufman's exact torus and the Boltzmann distribution, and CD
 * against the exact gradient of an enumerable RBM.
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { activation, ACTIVATIONS, softplus } from "../src/cheap/activations.ts";
import {
  balancedTree,
  boxPoints,
  evalShallow,
  evalTree,
  gateCount,
  gateTaylorError,
  maxRelativeError,
  multiplicationGate,
  shallowProduct,
  shallowTaylorError,
  treeDepth,
  treeTaylorError,
} from "../src/cheap/gates.ts";
import { deepNet, productData, productLoss, shallowNet } from "../src/cheap/trained.ts";
import {
  decimate,
  decimationFlow,
  exactFreeEnergy,
  logA,
  ringByDecimation,
  ringFreeEnergy,
} from "../src/cheap/decimation.ts";
import {
  IsingLattice,
  kaufmanEnergy,
  kaufmanLogZ,
  onsagerEnergy,
  T_CRITICAL,
} from "../src/cheap/ising.ts";
import { cdGradient, exactGradient, type RbmParams, SimdRbm } from "../src/cheap/rbm.ts";
import { checkCdStep } from "./helpers/cd_step.ts";
import { blockSpins, fieldShape, order, uniformShape } from "../src/cheap/rg.ts";
import { Rng } from "../src/random/rng.ts";
import { batchMeans, meanAndError } from "../src/stats/mod.ts";
import { ParamError, resolveParams } from "../src/params/schema.ts";
import deepCheap from "../pipelines/deep_cheap.ts";

Deno.test("activations: exact derivatives against closed forms and central differences", () => {
  const sp = activation("softplus");
  // softplus(u) = ln 2 + u/2 + u²/8 − u⁴/192 + …
  assertAlmostEquals(sp.derivative(2, 0), 1 / 4, 1e-15);
  assertAlmostEquals(sp.derivative(3, 0), 0, 1e-15);
  assertAlmostEquals(sp.derivative(4, 0), -1 / 8, 1e-15);
  assertAlmostEquals(activation("tanh").derivative(3, 0), -2, 1e-15);
  assertAlmostEquals(softplus(800), 800, 0, "no overflow");
  for (const name of ACTIVATIONS) {
    const a = activation(name);
    for (const u of [-1.3, 0, 0.4, 2]) {
      // central differences of the (k−1)-th derivative, h = 1e-5: error ~h² ≈ 1e-10, rounding ~1e-11
      for (const k of [1, 2, 3, 4]) {
        const h = 1e-5;
        const fd = (a.derivative(k - 1, u + h) - a.derivative(k - 1, u - h)) / (2 * h);
        assertAlmostEquals(
          a.derivative(k, u),
          fd,
          1e-7 * (1 + Math.abs(fd)),
          `${name} σ^(${k})(${u})`,
        );
      }
    }
  }
});

Deno.test("gate: the measured error is the Taylor term at small λ, and falls as λ² over two decades", () => {
  const rng = new Rng(1);
  const pts = boxPoints(2, 300, () => rng.uniform());
  for (const name of ["softplus", "shifted-tanh", "shifted-sigmoid"] as const) {
    const a = activation(name);
    const at = (lambda: number) => {
      const g = multiplicationGate(a, lambda);
      return maxRelativeError((x) => evalShallow(g, a.f, x), 2, pts);
    };
    // the next term is O(λ⁴): at λ = 0.01 the Taylor term is right to ~λ² relative, 1e-3 allowed
    const taylor = Math.abs(gateTaylorError(a, 0.01, 1, 1));
    assertAlmostEquals(at(0.01), taylor, 1e-3 * taylor, name);
    const slope = Math.log(at(0.3) / at(0.003)) / Math.log(100);
    assert(Math.abs(slope - 2) < 0.1, `${name}: slope ${slope}`);
  }
  // tanh: σ''(0) = 0, and being odd its gate's two pairs cancel exactly: output 0, error 100%
  const tanh = activation("tanh");
  assertAlmostEquals(tanh.derivative(2, 0), 0, 0);
  for (const lambda of [0.01, 1]) {
    const g = multiplicationGate(tanh, lambda);
    assertAlmostEquals(maxRelativeError((x) => evalShallow(g, tanh.f, x), 2, pts), 1, 0);
  }
});

Deno.test("constructions: shallow (2ⁿ) and deep (4(n − 1)) products are exact as λ → 0", () => {
  const rng = new Rng(2);
  const sp = activation("softplus");
  for (const n of [2, 3, 4, 5]) {
    const pts = boxPoints(n, 200, () => rng.uniform());
    const tree = balancedTree(0, n);
    assert(gateCount(tree) === n - 1 && treeDepth(tree) === Math.ceil(Math.log2(n)));
    const shallow = (l: number) => {
      const net = shallowProduct(sp, n, l);
      assert(net.neurons === 2 ** n);
      return maxRelativeError((x) => evalShallow(net, sp.f, x), n, pts);
    };
    const deep = (l: number) => {
      const g = multiplicationGate(sp, l);
      return maxRelativeError(
        (x) => evalTree(tree, (u, v) => evalShallow(g, sp.f, [u, v]), x),
        n,
        pts,
      );
    };
    for (const l of [0.05, 0.1]) {
      // at the corners, to leading order: within 2% at these λ (the next terms are ~λ² smaller)
      const s = Math.abs(shallowTaylorError(sp, n, l, n)), d = Math.abs(treeTaylorError(sp, n, l));
      assertAlmostEquals(shallow(l), s, 0.02 * s, `shallow n=${n} λ=${l}`);
      assertAlmostEquals(deep(l), d, 0.02 * d, `deep n=${n} λ=${l}`);
    }
    // halving λ quarters the error: the construction converges to the product
    assert(Math.abs(shallow(0.025) / shallow(0.05) - 0.25) < 0.01, `n=${n}`);
  }
});

Deno.test("trained product nets: backprop against central differences", () => {
  const rng = new Rng(3);
  const data = productData(5, 40, rng);
  for (const net of [shallowNet(5, 6, rng), deepNet(balancedTree(0, 5), 3, rng)]) {
    const g = new Float64Array(net.theta.length);
    productLoss(net, data, g);
    for (let i = 0; i < net.theta.length; i++) {
      const o = net.theta[i], h = 1e-6;
      net.theta[i] = o + h;
      const up = productLoss(net, data);
      net.theta[i] = o - h;
      const down = productLoss(net, data);
      net.theta[i] = o;
      // central differences: O(h²) ≈ 1e-12 plus rounding ~1e-10 relative to the loss
      assertAlmostEquals(
        g[i],
        (up - down) / (2 * h),
        1e-6 * (1 + Math.abs(g[i])),
        `${net.kind} θ${i}`,
      );
    }
  }
});

Deno.test("decimation: K' and A(K) against a direct partial trace of a 3-site chain", () => {
  for (const K of [0.1, 0.7, 2.5]) {
    const Kp = decimate(K), A = Math.exp(logA(K));
    assertAlmostEquals(Math.tanh(Kp), Math.tanh(K) ** 2, 1e-15);
    for (const s1 of [-1, 1]) {
      for (const s3 of [-1, 1]) {
        // Σ_{s2} exp(K s1 s2 + K s2 s3) = A exp(K' s1 s3)
        const trace = Math.exp(K * (s1 + s3)) + Math.exp(-K * (s1 + s3));
        assertAlmostEquals(trace, A * Math.exp(Kp * s1 * s3), 1e-12 * trace, `K=${K}`);
      }
    }
  }
});

Deno.test("decimation: exact on a ring (transfer matrix), and the recursion's f to 1e-10 once K has flowed", () => {
  for (const K of [0.3, 1, 3]) {
    for (const m of [2, 3, 6, 10]) {
      assertAlmostEquals(
        ringByDecimation(K, m),
        ringFreeEnergy(K, 2 ** m),
        1e-14,
        `K=${K} N=${2 ** m}`,
      );
    }
    const flow = [...decimationFlow(K, 20)];
    const last = flow[flow.length - 1];
    assert(last.K < 1e-12, "the flow reaches K* = 0");
    assertAlmostEquals(last.fRecursion, exactFreeEnergy(K), 1e-10);
  }
  // a ring of N spins by brute force: Z = Σ exp(K Σ sᵢsᵢ₊₁)
  const K = 0.8, N = 10;
  let z = 0;
  for (let c = 0; c < 1 << N; c++) {
    let e = 0;
    for (let i = 0; i < N; i++) {
      e += (((c >> i) & 1) * 2 - 1) * (((c >> ((i + 1) % N)) & 1) * 2 - 1);
    }
    z += Math.exp(K * e);
  }
  assertAlmostEquals(ringFreeEnergy(K, N), Math.log(z) / N, 1e-14);
});

/** every state of an L × L torus: ln Z and the distribution of the total energy */
function enumerate(L: number, T: number) {
  const N = L * L, dist = new Map<number, number>();
  let z = 0;
  for (let c = 0; c < 1 << N; c++) {
    const s = (i: number) => ((c >> i) & 1 ? 1 : -1);
    let e = 0;
    for (let y = 0; y < L; y++) {
      for (let x = 0; x < L; x++) {
        e -= s(y * L + x) * (s(y * L + (x + 1) % L) + s(((y + 1) % L) * L + x));
      }
    }
    const w = Math.exp(-e / T);
    z += w;
    dist.set(e, (dist.get(e) ?? 0) + w);
  }
  for (const [e, w] of dist) dist.set(e, w / z);
  return { lnZ: Math.log(z), dist };
}

Deno.test("Ising: Kaufman's torus against enumeration (4 × 4), and Onsager as L grows", () => {
  for (const T of [1.5, T_CRITICAL, 3.5]) {
    const { lnZ } = enumerate(4, T);
    assertAlmostEquals(kaufmanLogZ(4, T), lnZ, 1e-10 * lnZ, `T=${T}`);
  }
  assertAlmostEquals(onsagerEnergy(T_CRITICAL), -Math.SQRT2, 1e-12);
  // away from T_c the torus converges exponentially fast: L = 128 is Onsager to 1e-8
  for (const T of [1.8, 3]) {
    assertAlmostEquals(kaufmanEnergy(128, T), onsagerEnergy(T), 1e-7, `T=${T}`);
  }
  // at T_c the correction is ∝ 1/L: u(L) + √2 halves as L doubles
  const d32 = kaufmanEnergy(32, T_CRITICAL) + Math.SQRT2,
    d64 = kaufmanEnergy(64, T_CRITICAL) + Math.SQRT2;
  assertAlmostEquals(d32 / d64, 2, 0.02);
});

Deno.test("Wolff: the 4 × 4 lattice's energy distribution is Boltzmann's (detailed balance)", () => {
  const T = T_CRITICAL, { dist } = enumerate(4, T);
  const rng = new Rng(5);
  const lat = new IsingLattice(4, T, rng);
  lat.equilibrate(rng, 100);
  const counts = new Map<number, number>();
  const draws = 40000;
  for (let k = 0; k < draws; k++) {
    lat.flipCluster(rng); // every cluster flip is a step of the chain: no stopping rule involved
    const e = Math.round(lat.energy() * 16);
    counts.set(e, (counts.get(e) ?? 0) + 1);
  }
  // χ² over the energy levels with expected count ≥ 20; the chain's draws are correlated over
  // a few flips, so the bound is loose: χ² < 6 × degrees of freedom still fails a sampler that
  // is off by a few percent in any populated level (e.g. the stop-at-N-spins sweep's bias)
  let chi2 = 0, dof = 0;
  for (const [e, p] of dist) {
    const expected = p * draws;
    if (expected < 20) continue;
    chi2 += ((counts.get(e) ?? 0) - expected) ** 2 / expected;
    dof++;
  }
  assert(dof >= 4 && chi2 < 6 * dof, `χ² = ${chi2} over ${dof} levels`);
});

Deno.test("Wolff on 32 × 32: the energy per spin at T_c and at T = 2 is Kaufman's within the sampling error", () => {
  for (const T of [T_CRITICAL, 2]) {
    const rng = new Rng(7);
    const lat = new IsingLattice(32, T, rng);
    lat.equilibrate(rng, 100);
    const energy = Float64Array.from({ length: 2000 }, () => (lat.sweep(rng), lat.energy()));
    const { mean, stderr: se } = meanAndError(batchMeans(energy, 20));
    // 4 standard errors of 20 batch means (each of 100 sweeps ≫ the autocorrelation time)
    assertAlmostEquals(mean, kaufmanEnergy(32, T), 4 * se + 1e-4, `T=${T} (se ${se})`);
  }
});

function smallRbm(rng: Rng): RbmParams {
  const nv = 4, nh = 2;
  return {
    nv,
    nh,
    W: Float64Array.from({ length: nv * nh }, () => 0.8 * rng.normal()),
    b: Float64Array.from({ length: nv }, () => 0.3 * rng.normal()),
    c: Float64Array.from({ length: nh }, () => 0.3 * rng.normal()),
  };
}

/** mean log-likelihood by enumeration */
function logLikelihood(r: RbmParams, data: number[][]): number {
  const free = (v: number[]) => {
    // ln Σ_h exp(−E) = bᵀv + Σ_j ln(1 + exp(c_j + Σ_i v_i W_ij))
    let f = 0;
    for (let i = 0; i < r.nv; i++) f += r.b[i] * v[i];
    for (let j = 0; j < r.nh; j++) {
      let u = r.c[j];
      for (let i = 0; i < r.nv; i++) u += v[i] * r.W[i * r.nh + j];
      f += Math.log1p(Math.exp(u));
    }
    return f;
  };
  let z = 0;
  for (let s = 0; s < 1 << r.nv; s++) {
    z += Math.exp(free(Array.from({ length: r.nv }, (_, i) => (s >> i) & 1)));
  }
  return data.reduce((a, v) => a + free(v) - Math.log(z), 0) / data.length;
}

Deno.test("RBM 4 × 2: the exact gradient against differences of the log-likelihood; CD-k → it as k grows", () => {
  const rng = new Rng(11);
  const r = smallRbm(rng);
  const data = [[1, 0, 1, 1], [0, 0, 1, 0], [1, 1, 1, 1], [0, 1, 0, 0], [1, 0, 0, 1]];
  const [dW, db, dc] = exactGradient(r, data);
  for (const [arr, grad] of [[r.W, dW], [r.b, db], [r.c, dc]] as const) {
    for (let q = 0; q < arr.length; q++) {
      const o = arr[q], h = 1e-6;
      arr[q] = o + h;
      const up = logLikelihood(r, data);
      arr[q] = o - h;
      const down = logLikelihood(r, data);
      arr[q] = o;
      assertAlmostEquals(grad[q], (up - down) / (2 * h), 1e-7);
    }
  }
  // CD-k's model side comes from a k-step chain from the data: unbiased once the chain mixes.
  // 4,000 repeats: the mean's standard error is ≈ 0.5/√(4000·5) ≈ 0.004 per entry; 0.02 allowed
  const mean = (k: number) => {
    const acc = new Float64Array(r.nv * r.nh);
    const repeats = 4000;
    for (let t = 0; t < repeats; t++) {
      cdGradient(r, data, k, rng)[0].forEach((g, q) => (acc[q] += g / repeats));
    }
    return acc;
  };
  const cd30 = mean(30);
  for (let q = 0; q < dW.length; q++) assertAlmostEquals(cd30[q], dW[q], 0.02, `CD-30 W${q}`);
  // CD-1 is biased but points the same way (cosine with the exact gradient)
  const cd1 = mean(1);
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, q) => s + x * b[q], 0);
  const cos = dot(cd1, dW) / Math.sqrt(dot(cd1, cd1) * dot(dW, dW));
  assert(cos > 0.8, `cos(CD-1, exact) = ${cos}`);
});

Deno.test("SimdRbm: one float32 CD-1 step is the float64 CD-1 gradient times the rate", async () => {
  const nv = 8, nh = 4, batch = 6, rng = new Rng(13);
  const rbm = await SimdRbm.create(nv, nh, batch, rng);
  for (let q = 0; q < nv * nh; q++) rbm.W[q] = 0.5 * rng.normal();
  const data = Array.from(
    { length: batch },
    () => Array.from({ length: nv }, () => (rng.uniform() < 0.4 ? 1 : 0)),
  );
  checkCdStep(rbm, data, 0.1, 99);
});

Deno.test("receptive fields: a block field's shape, and block spins of an ordered lattice", () => {
  const L = 16, n = 1, field = new Float64Array(L * L);
  for (let y = 4; y < 7; y++) for (let x = 9; x < 12; x++) field[y * L + x] = 1;
  const s = fieldShape(field, n, 0, L);
  assert(s.cx === 10 && s.cy === 5 && s.orientation === 1);
  assertAlmostEquals(s.locality, 1, 0); // all within distance 3 of the peak
  assertAlmostEquals(s.radius, Math.sqrt(12 / 9), 1e-12); // 4 at d² = 1, 4 at d² = 2
  const u = uniformShape(L);
  assert(u.locality < 0.12 && u.radius > 6);
  // all up: every block spin up, magnetisation and correlation 1; checkerboard: block sums 0 → "up"
  const up = new Int8Array(L * L).fill(1);
  const spins = blockSpins(field, n, up, 1);
  assert(spins[0] === 1);
  const o = order(Int8Array.of(1, 1, -1, -1), 2, [1, 1], [1, 0]);
  assertAlmostEquals(o.magnetisation, 1, 0);
  assertAlmostEquals(o.correlation, 1, 0);
});

Deno.test("deep-cheap: bad params are refused naming the param and what is allowed", () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ lambda_min: 0 }, "lambda_min", "must be a number in [0.0001, 10]"],
    [{ n: 9 }, "n", "must be an integer in [2, 8]"],
    [{ size: 40 }, "size", "must be a multiple of 16"],
    [{ temperature: 0 }, "temperature", "must be a number in [0.1, 10]"],
    [{ lambda_min: 2, lambda_max: 1 }, "lambda_min", "must be below lambda_max"],
  ];
  for (const [input, param, problem] of cases) {
    try {
      const p = resolveParams(deepCheap.params, input);
      deepCheap.check!(p);
      throw new Error(`${JSON.stringify(input)} was accepted`);
    } catch (e) {
      assert(e instanceof ParamError && e.param === param, `${JSON.stringify(input)}: ${e}`);
      assert(e.problem.startsWith(problem), e.problem);
    }
  }
});
