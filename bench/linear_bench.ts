/**
 * Deep linear training speed on wasm (issue #3): the Saxe et al. figure setting
 * (32 items, 1000 features, hidden 32), and width-1000 nets of MNIST's shape
 * (784 inputs, 10 outputs) on synthetic correlations, stepped by tfjs-wasm
 * (network.ts) and by the in-place SIMD loops (fused_net.ts, what training-time
 * uses off WebGPU).
 */
import { useBackend } from "../src/compute/backend.ts";
import { hierarchy } from "../src/linear/datasets.ts";
import { initialWeights } from "../src/linear/init.ts";
import { LinearNet } from "../src/linear/network.ts";
import { FusedLinearNet } from "../src/linear/fused_net.ts";
import { svd } from "../src/numerics/svd.ts";
import { Rng } from "../src/random/rng.ts";

const { tf } = await useBackend("wasm");
const rng = new Rng(1);

const data = hierarchy({ levels: 5, branching: 2, flip: 0.1, features: 1000 }, rng);
const saxeDims = [32, 32, 1000];
const saxe = new LinearNet(
  tf,
  saxeDims,
  initialWeights(
    { dims: saxeDims, init: "decoupled", a0: 1e-6, initStd: 0 },
    rng,
    svd(data.sigma31),
  ),
  data.sigma31.data,
  null,
  0,
);

Deno.bench({
  name: "deep-linear step, Saxe setting (32 items × 1000 features, hidden 32)",
  n: 200,
  warmup: 20,
  fn: () => void saxe.step(5e-4, false),
});

const mnistDims = [784, ...Array(19).fill(1000), 10];
const s31 = new Float64Array(10 * 784);
rng.fillNormal(s31);
const x = new Float64Array(784 * 784);
for (let i = 0; i < 784; i++) x[i * 784 + i] = 1;
const mnistWeights = initialWeights({ dims: mnistDims, init: "gaussian", a0: 1, initStd: 0 }, rng);
const deep = new LinearNet(tf, mnistDims, mnistWeights, s31, x, 1);

Deno.bench({
  name: "deep-linear step, width 1000, depth 20, 784 → 10 (MNIST shape, Σ11 784×784), tfjs-wasm",
  n: 10,
  warmup: 2,
  fn: () => void deep.step(1e-6, false),
});

const fused = await FusedLinearNet.create(mnistDims, mnistWeights, s31, x, 1);
Deno.bench({
  name: "the same net, in-place SIMD step (fused_net.ts)",
  n: 10,
  warmup: 2,
  fn: () => void fused.step(1e-6, false),
});

// depth 100: the largest net (400 MB of float32 weights); orthogonal in its
// identity frame, as training-time starts it.
const deepestDims = [784, ...Array(99).fill(1000), 10];
const deepest = await FusedLinearNet.create(
  deepestDims,
  initialWeights(
    { dims: deepestDims, init: "orthogonal", a0: 1, initStd: 0, identityFrame: true },
    rng,
  ),
  s31,
  x,
  1,
);
Deno.bench({
  name: "deep-linear step, width 1000, depth 100, in-place SIMD step",
  n: 5,
  warmup: 1,
  fn: () => void deepest.step(1e-6, false),
});
