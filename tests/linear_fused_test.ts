/**
 * The SIMD-stepped deep linear net (fused_net.ts) against the tfjs one (network.ts),
 * and the identity-frame orthogonal start against explicit random orthogonal layers.
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { initialWeights, randomOrthogonal } from "../src/linear/init.ts";
import { LinearNet } from "../src/linear/network.ts";
import { FusedLinearNet } from "../src/linear/fused_net.ts";
import { matrix, svd } from "../src/numerics/svd.ts";

/** a (r × k) · b (k × c), row-major float64 */
function matmul(a: Float64Array, b: Float64Array, r: number, k: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let q = 0; q < k; q++) {
      const x = a[i * k + q];
      for (let j = 0; j < c; j++) out[i * c + j] += x * b[q * c + j];
    }
  }
  return out;
}

function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j];
  return out;
}

/** Σ31 and Σ11 of `p` Gaussian examples through a random linear teacher, and tr Σ33. */
function regression(nIn: number, nOut: number, p: number, rng: Rng) {
  const x = new Float64Array(p * nIn), teacher = new Float64Array(nOut * nIn);
  rng.fillNormal(x);
  rng.fillNormal(teacher, 1 / Math.sqrt(nIn));
  const y = matmul(x, transpose(teacher, nOut, nIn), p, nIn, nOut);
  const noise = new Float64Array(p * nOut);
  rng.fillNormal(noise, 0.3);
  for (let i = 0; i < y.length; i++) y[i] += noise[i];
  const sigma31 = matmul(transpose(y, p, nOut), x, nOut, p, nIn);
  const sigma11 = matmul(transpose(x, p, nIn), x, nIn, p, nIn);
  let trace33 = 0;
  for (const v of y) trace33 += v * v;
  return { sigma31, sigma11, trace33 };
}

// Both nets hold float32 weights and sum in different orders, so they part by a few
// float32 roundings per step (≈ 1e-7 relative); over 40 well-conditioned steps that stays
// under 1e-5 of the loss. A wrong index, a missed pad or a stale W_l in the fused C pass
// is an O(1) difference from the first step.
const REL = 1e-4;

Deno.test("FusedLinearNet steps as LinearNet does: loss, per-layer norms, W_tot (odd sizes, Σ11 ≠ I)", async () => {
  const { tf } = await useBackend("wasm");
  const rng = new Rng(11);
  const dims = [13, 9, 18, 7, 5]; // none a multiple of 4, an odd number of outputs
  const data = regression(13, 5, 40, rng);
  const w = initialWeights({ dims, init: "gaussian", a0: 1, initStd: 0 }, rng);
  const ref = new LinearNet(tf, dims, w, data.sigma31, data.sigma11, data.trace33);
  const net = await FusedLinearNet.create(dims, w, data.sigma31, data.sigma11, data.trace33);
  const lr = 2e-3;
  let first = 0, last = 0;
  for (let t = 0; t < 40; t++) {
    const a = ref.step(lr, true), b = net.step(lr, true);
    if (t === 0) first = a.loss;
    last = a.loss;
    assertAlmostEquals(b.loss, a.loss, REL * Math.abs(a.loss), `loss at step ${t}`);
    for (let l = 0; l < dims.length - 1; l++) {
      assertAlmostEquals(b.norms[l], a.norms[l], REL * a.norms[l], `‖W_${l + 1}‖ at step ${t}`);
      assertAlmostEquals(b.updates[l], a.updates[l], REL * a.updates[l], `‖ΔW_${l + 1}‖ at ${t}`);
    }
  }
  assert(last < 0.5 * first, `the nets learn (loss ${first} → ${last})`);
  const wa = ref.total().dataSync(), wb = net.total();
  // W_tot's entries are of order one here, so REL serves as an absolute bound
  for (let i = 0; i < wb.length; i++) assertAlmostEquals(wb[i], wa[i], REL, `W_tot[${i}]`);
  ref.dispose();
});

Deno.test("FusedLinearNet on one-hot items (Σ11 = I, no Σ11 given) matches LinearNet", async () => {
  const { tf } = await useBackend("wasm");
  const rng = new Rng(3);
  const dims = [8, 6, 6, 3];
  const sigma31 = new Float64Array(3 * 8);
  rng.fillNormal(sigma31);
  let trace33 = 0;
  for (const v of sigma31) trace33 += v * v;
  const w = initialWeights({ dims, init: "orthogonal", a0: 0.5, initStd: 0 }, rng);
  const ref = new LinearNet(tf, dims, w, sigma31, null, trace33);
  const net = await FusedLinearNet.create(dims, w, sigma31, null, trace33);
  for (let t = 0; t < 40; t++) {
    const a = ref.step(0.05, false), b = net.step(0.05, false);
    assertAlmostEquals(b.loss, a.loss, REL * Math.abs(a.loss), `loss at step ${t}`);
  }
  ref.dispose();
});

Deno.test("an orthogonal start in its identity frame trains exactly as the explicit random orthogonal layers it stands for", async () => {
  // Explicit Q_1 … Q_D, and the same net rotated by O_1 = I, O_l = O_{l−1} Q_lᵀ: hidden
  // layers g·I, outer ones Q_1 and Q_D O_{D−1}ᵀ. Gradient descent commutes with the
  // rotation, so the two lose the same loss at every step.
  const rng = new Rng(21);
  const n = 12, dims = [10, n, n, n, n, 4], D = dims.length - 1, g = 0.9;
  const data = regression(10, 4, 30, rng);
  const q = dims.slice(1).map((nOut, l) => randomOrthogonal(nOut, dims[l], rng).map((x) => g * x));
  let o = new Float64Array(n * n); // O_1 = I
  for (let i = 0; i < n; i++) o[i * n + i] = 1;
  for (let l = 2; l < D; l++) o = matmul(o, transpose(q[l - 1], n, n), n, n, n).map((x) => x / g);
  const framed = [
    q[0],
    ...dims.slice(2, -1).map(() => {
      const eye = new Float64Array(n * n);
      for (let i = 0; i < n; i++) eye[i * n + i] = g;
      return eye;
    }),
    matmul(q[D - 1], transpose(o, n, n), 4, n, n),
  ];
  const a = await FusedLinearNet.create(dims, q, data.sigma31, data.sigma11, data.trace33);
  const b = await FusedLinearNet.create(dims, framed, data.sigma31, data.sigma11, data.trace33);
  const ta = a.total(), tb = b.total();
  // the same product of five float32 matrices in two frames: a few roundings of 6e-8
  for (let i = 0; i < ta.length; i++) {
    assertAlmostEquals(tb[i], ta[i], 1e-5, `W_tot[${i}] at start`);
  }
  let first = 0, last = 0;
  for (let t = 0; t < 60; t++) {
    const ra = a.step(2e-3, true), rb = b.step(2e-3, true);
    if (t === 0) first = ra.loss;
    last = ra.loss;
    assertAlmostEquals(rb.loss, ra.loss, REL * Math.abs(ra.loss), `loss at step ${t}`);
    for (let l = 0; l < D; l++) {
      assertAlmostEquals(rb.norms[l], ra.norms[l], REL * ra.norms[l], `‖W_${l + 1}‖ at ${t}`);
    }
  }
  assert(last < 0.5 * first, `the nets learn (loss ${first} → ${last})`);
});

Deno.test("initialWeights(orthogonal, identityFrame): hidden layers a0^{1/D} I, W_tot an isometry of strength a0", () => {
  const dims = [20, 16, 16, 16, 6], D = 4, a0 = 0.3;
  const w = initialWeights(
    { dims, init: "orthogonal", a0, initStd: 0, identityFrame: true },
    new Rng(5),
  );
  const gain = Math.pow(a0, 1 / D);
  for (let l = 2; l < D; l++) {
    for (let i = 0; i < 16; i++) {
      for (let j = 0; j < 16; j++) assertAlmostEquals(w[l - 1][i * 16 + j], i === j ? gain : 0, 0);
    }
  }
  let tot = w[0];
  for (let l = 1; l < D; l++) tot = matmul(w[l], tot, dims[l + 1], dims[l], 20);
  const { s } = svd(matrix(6, 20, tot));
  for (const x of s) assertAlmostEquals(x, a0, 1e-12, "singular value of W_tot");
});
