/**
 * Benchmarks of issue #2 (docs/benchmarks.md):
 * - phase diagram, tanh, 100×100 grid with q*, c*, χ1 and ξ_c (target < 2 s on 2 cores);
 * - a width-1000, depth-50 tanh network on a batch of 64 inputs, wasm (target: numpy's time).
 */
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { activation } from "../src/signal/activations.ts";
import { criticalSigmaW2 } from "../src/signal/critical_line.ts";
import { fixedPoint } from "../src/signal/fixed_point.ts";
import { simulateNetwork } from "../src/signal/random_network.ts";

const tanh = activation("tanh");
const GRID = 100;

Deno.bench({
  name: "phase diagram, tanh, 100×100 cells (q*, c*, χ1, ξ_c) + 100-point critical line",
  n: 3,
  warmup: 1,
  fn() {
    for (let i = 0; i < GRID; i++) {
      const b = (0.3 * i) / (GRID - 1);
      criticalSigmaW2(tanh, b, 0.5, 4);
      for (let j = 0; j < GRID; j++) {
        fixedPoint({ act: tanh, sigma_w2: 0.5 + (3.5 * j) / (GRID - 1), sigma_b2: b });
      }
    }
  },
});

const { tf } = await useBackend("wasm");
const SPEC = {
  activation: "tanh",
  sigma_w2: 1.5,
  sigma_b2: 0.05,
  width: 1000,
  depth: 50,
  q0: 1,
  c0: 0.5,
  pairs: 32,
  draws: 1,
} as const;

for (const kernels of ["simd", "tfjs"] as const) {
  Deno.bench({
    name: `random network, width 1000, depth 50, batch 64, tanh, ${
      kernels === "simd" ? "float32 SIMD kernels (a wasm run's)" : "tfjs-wasm"
    } (weights drawn in TS)`,
    n: 3,
    warmup: 1,
    async fn() {
      for await (const _ of simulateNetwork(tf, SPEC, new Rng(1), async () => {}, kernels)) {
        /* drain */
      }
    },
  });
}

Deno.bench({
  name: "  of which: drawing 50M N(0, σ²) weights (ziggurat)",
  n: 3,
  warmup: 1,
  fn() {
    const rng = new Rng(1);
    const w = new Float32Array(1000 * 1000);
    for (let l = 0; l < 50; l++) rng.fillNormal(w, 0.04);
  },
});
