/**
 * The WGSL kernels (src/compute/webgpu/) on whatever adapter Deno finds: on these machines the
 * software adapter llvmpipe, a real WebGPU implementation (correctness only; never timed).
 * Without an adapter the tests are reported ignored, never passed.
 *
 * Each kernel is checked against the float64 reference and the nets against the WebAssembly
 * SIMD nets (SimdMlp) from the same seed. Tolerances are float32's: a product of inner
 * dimension K sums K terms, each rounded at 2⁻²⁴ relative, so its error is ≲ K·6e-8 of the
 * sum of |terms|; the bounds below are that with a margin of a few, and far below a wrong
 * index or a missing term (which moves a result by O(one term) ≈ 0.1).
 */
import { assert, assertAlmostEquals } from "./assert.ts";
import { gpu, hasGpu } from "../src/compute/webgpu/device.ts";
import { gemm, GemmOp } from "../src/compute/webgpu/gemm.ts";
import {
  ACT_GRAD_WGSL,
  activationCode,
  ACTIVATIONS,
  BIAS_ACT_WGSL,
  grid,
  words,
} from "../src/compute/webgpu/elementwise.ts";
import { GpuMlps } from "../src/compute/webgpu/mlp.ts";
import { type MlpSpec, SimdMlp } from "../src/compute/simd_mlp.ts";
import { erf } from "../src/numerics/erf.ts";
import { Rng } from "../src/random/rng.ts";

const ignore = !(await hasGpu());
const opts = { ignore, sanitizeResources: false, sanitizeOps: false };

function randomMatrix(rows: number, cols: number, rng: Rng): Float32Array<ArrayBuffer> {
  const a = new Float32Array(rows * cols);
  rng.fillNormal(a);
  return a;
}

/** op(A) op(B) in float64, with the sum of |terms| for the tolerance. */
function reference(
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float64Array(M * N), mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0, m = 0;
      for (let k = 0; k < K; k++) {
        const t = (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
        s += t;
        m += Math.abs(t);
      }
      c[i * N + j] = s;
      mag[i * N + j] = m;
    }
  }
  return { c, mag };
}

Deno.test("webgpu GEMM: all four transposes at odd sizes against float64", opts, async () => {
  const g = await gpu(), rng = new Rng(1);
  // sizes that are not multiples of the 64 × 64 tile or of 16 in K, and one larger than a tile
  for (const [M, N, K] of [[37, 53, 29], [1, 70, 3], [130, 67, 81]]) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const a = randomMatrix(M, K, rng), b = randomMatrix(K, N, rng);
        const got = await gemm(g, a, b, { M, N, K, transA: tA, transB: tB });
        const { c, mag } = reference(a, b, M, N, K, tA, tB);
        for (let i = 0; i < M * N; i++) {
          assertAlmostEquals(
            got[i],
            c[i],
            8 * K * 6e-8 * mag[i] + 1e-6,
            `${M}×${N}×${K} tA ${tA} tB ${tB} [${i}]`,
          );
        }
      }
    }
  }
});

Deno.test(
  "webgpu GEMM batched over z: strides, a shared operand, β = 1 and a per-z α",
  opts,
  async () => {
    const g = await gpu(), rng = new Rng(2);
    const Z = 3, M = 19, N = 23, K = 17;
    const a = randomMatrix(Z * M, K, rng),
      b = randomMatrix(K, N, rng),
      c0 = randomMatrix(Z * M, N, rng);
    const alpha = new Float32Array([0.5, -2, 3]);
    const A = g.storage(a.length, a), B = g.storage(b.length, b), C = g.storage(c0.length, c0);
    const al = g.storage(Z, alpha);
    // C_z = −0.25 α_z A_z B + C_z, B shared (stride 0)
    const op = new GemmOp(
      g,
      {
        M,
        N,
        K,
        batch: Z,
        strideA: M * K,
        strideB: 0,
        strideC: M * N,
        beta: 1,
        scale: -0.25,
      },
      A,
      B,
      C,
      al,
    );
    const enc = g.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    op.encode(pass);
    pass.end();
    g.device.queue.submit([enc.finish()]);
    const [got] = await g.read([{ buffer: C, floats: c0.length }]);
    for (let z = 0; z < Z; z++) {
      const { c, mag } = reference(
        a.subarray(z * M * K, (z + 1) * M * K),
        b,
        M,
        N,
        K,
        false,
        false,
      );
      for (let i = 0; i < M * N; i++) {
        const want = -0.25 * alpha[z] * c[i] + c0[z * M * N + i];
        assertAlmostEquals(got[z * M * N + i], want, 8 * K * 6e-8 * mag[i] + 1e-6, `z ${z} [${i}]`);
      }
    }
    for (const buf of [A, B, C, al]) buf.destroy();
  },
);

Deno.test("webgpu activations and their derivatives against float64", opts, async () => {
  const g = await gpu();
  const n = 1001;
  // −12 … 12: past tanh32's clamp, through sigmoid's and softplus's both branches
  const z = Float32Array.from({ length: n }, (_, i) => -12 + (24 * i) / (n - 1));
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const f64: Record<string, [(x: number) => number, (x: number) => number]> = {
    tanh: [Math.tanh, (x) => 1 - Math.tanh(x) ** 2],
    relu: [(x) => Math.max(x, 0), (x) => (x > 0 ? 1 : 0)],
    erf: [erf, (x) => (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)],
    linear: [(x) => x, () => 1],
    sigmoid: [sig, (x) => sig(x) * (1 - sig(x))],
    softplus: [(x) => Math.log1p(Math.exp(-Math.abs(x))) + Math.max(x, 0), sig],
  };
  for (const name of ACTIVATIONS) {
    const kind = activationCode(name);
    const pre = g.storage(n, z.slice()), act = g.storage(n), bias = g.storage(n);
    const grad = g.storage(n, new Float32Array(n).fill(1));
    const p = g.pipeline(BIAS_ACT_WGSL), q = g.pipeline(ACT_GRAD_WGSL);
    // one row of n columns, bias 0
    const bg = g.bindGroup(p, [g.uniform(words([n, n, n, kind])), pre, act, bias]);
    const qg = g.bindGroup(q, [g.uniform(words([n, n, n, kind])), grad, pre, act]);
    const enc = g.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    g.dispatch(pass, p, bg, ...grid(n));
    g.dispatch(pass, q, qg, ...grid(n));
    pass.end();
    g.device.queue.submit([enc.finish()]);
    const [a, d] = await g.read([{ buffer: act, floats: n }, { buffer: grad, floats: n }]);
    const [phi, dphi] = f64[name];
    for (let i = 0; i < n; i++) {
      // 2e-6 absolute + 2e-6 relative: tanh32's fit is within 2.7e-7, A–S erf within 1.5e-7,
      // exp/log on the GPU within a few float32 ulps (WGSL allows 3 + 2|x| ulp for exp)
      const tol = (v: number) => 2e-6 + 2e-6 * Math.abs(v);
      assertAlmostEquals(a[i], phi(z[i]), tol(phi(z[i])), `${name}(${z[i]})`);
      assertAlmostEquals(d[i], dphi(z[i]), tol(dphi(z[i])), `${name}'(${z[i]})`);
    }
    for (const b of [pre, act, bias, grad]) b.destroy();
  }
});

/** Three nets of one odd shape (different σw², σb²) on WebGPU and on wasm-simd from the same seeds. */
async function compareNets(spec: MlpSpec, y: (rng: Rng) => number[] | Float32Array[]) {
  const g = await gpu(), data = new Rng(9);
  const rows = 40;
  const x = Array.from({ length: rows }, () => randomMatrix(1, spec.inputs, data));
  const labels = y(data);
  const sigmas = [[0.8, 0], [1.7, 0.1], [3, 0.3]];
  const specs = sigmas.map(([sigma_w2, sigma_b2]) => ({ ...spec, sigma_w2, sigma_b2 }));
  const group = new GpuMlps(g, specs, specs.map((_, z) => new Rng(100 + z)));
  const nets = await Promise.all(specs.map((s, z) => SimdMlp.create(s, new Rng(100 + z))));
  group.bind(x, labels);
  const draw = new Rng(5);
  const steps = 6, lr = 0.05;
  const wasmLosses = nets.map(() => [] as number[]);
  for (let s = 0; s < steps; s++) {
    const idx = specs.map(() =>
      Array.from({ length: spec.batch }, () => Math.floor(draw.uniform() * rows))
    );
    group.step(idx, lr);
    nets.forEach((net, z) => {
      const r = idx[z];
      wasmLosses[z].push(
        net.step(r.map((i) => x[i]), r.map((i) => labels[i]) as number[] | Float32Array[], lr),
      );
    });
  }
  const gpuLosses = await group.losses();
  const gpuOut = await group.outputs(x);
  for (let z = 0; z < specs.length; z++) {
    assert(gpuLosses[z].length === steps, `${gpuLosses[z].length} losses, not ${steps}`);
    for (let s = 0; s < steps; s++) {
      // relative 1e-4: six steps of float32 sums in another order (≈ 1e-6 a product) compound
      assertAlmostEquals(
        gpuLosses[z][s],
        wasmLosses[z][s],
        1e-4 * Math.abs(wasmLosses[z][s]) + 1e-6,
        `net ${z} step ${s}`,
      );
    }
    const wasmOut = nets[z].outputs(x);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < spec.outputs; j++) {
        assertAlmostEquals(
          gpuOut[z][i][j],
          wasmOut[i][j],
          1e-4 * (1 + Math.abs(wasmOut[i][j])),
          `net ${z} output ${i},${j}`,
        );
      }
    }
  }
  group.dispose();
}

Deno.test(
  "webgpu MLP group: tanh nets under cross-entropy step as the wasm-simd nets do",
  opts,
  async () => {
    await compareNets(
      { inputs: 29, outputs: 5, width: 37, depth: 3, sigma_w2: 1, sigma_b2: 0, batch: 6 },
      (rng) => Array.from({ length: 40 }, () => Math.floor(rng.uniform() * 5)),
    );
  },
);

Deno.test("webgpu MLP group: erf nets under squared loss with NTK rates", opts, async () => {
  const shape = { inputs: 13, outputs: 3, width: 21, depth: 2, sigma_w2: 1, sigma_b2: 0, batch: 8 };
  const rates = { weights: [0.5, 0.25, 2], biases: 0.1 };
  await compareNets(
    { ...shape, activation: "erf", loss: "squared", rates },
    (rng) => Array.from({ length: 40 }, () => randomMatrix(1, 3, rng)),
  );
});
