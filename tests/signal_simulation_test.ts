/** The random network against the mean-field theory it should obey (THEORY.md §1). */
import { assertAlmostEquals, assertEquals } from "./assert.ts";
import { useBackend } from "../src/compute/backend.ts";
import { Rng } from "../src/random/rng.ts";
import { activation } from "../src/signal/activations.ts";
import { propagate } from "../src/signal/maps.ts";
import {
  type LayerStats,
  type NetworkKernels,
  simulateNetwork,
} from "../src/signal/random_network.ts";

const N_WIDTH = 1000;
const DRAWS = 16;
const DEPTH = 10;
// In the ordered phase all inputs flow together (c → 1), so averaging over the
// batch stops helping: what is left is one network's fluctuation of q, √(2/N)
// ≈ 4.5% per layer, over √DRAWS networks: σ ≈ 1.1%. Four σ over 11 layers.
const Q_RTOL = 4 * Math.sqrt(2 / N_WIDTH) / Math.sqrt(DRAWS);
// c fluctuates less (both inputs of a pair see the same weights): measured 0.3–0.6%
// across seeds at this size; 2% is over 3× that.
const C_ATOL = 0.02;

async function compare(
  act: "tanh" | "erf",
  sigma_w2: number,
  sigma_b2: number,
  seed: number,
  kernels: NetworkKernels,
) {
  const { tf } = await useBackend("wasm");
  const spec = {
    activation: act,
    sigma_w2,
    sigma_b2,
    width: N_WIDTH,
    depth: DEPTH,
    q0: 1,
    c0: 0.3,
    pairs: 16,
    draws: DRAWS,
  };
  const sim: LayerStats[] = [];
  for await (const s of simulateNetwork(tf, spec, new Rng(seed), async () => {}, kernels)) {
    sim.push(s);
  }
  const theory = propagate({ act: activation(act), sigma_w2, sigma_b2 }, 1, 0.3, DEPTH);
  assertEquals(sim.length, DEPTH + 1);
  for (let l = 0; l <= DEPTH; l++) {
    assertAlmostEquals(sim[l].q / theory[l].q, 1, Q_RTOL, `q at layer ${l}`);
    assertAlmostEquals(sim[l].c, theory[l].c, C_ATOL, `c at layer ${l}`);
  }
}

Deno.test("simulateNetwork() of width 1000 follows the length and correlation maps (tanh, ordered; SIMD kernels)", async () => {
  await compare("tanh", 1.5, 0.05, 11, "simd");
});

Deno.test("simulateNetwork() of width 1000 follows the length and correlation maps (erf, chaotic; tfjs)", async () => {
  await compare("erf", 3, 0.3, 12, "tfjs");
});

// The same seed draws the same weights and biases for both: the two paths then differ only by
// float32 rounding (summation order, tanh's), ≈ 1e-7 relative per layer and growing at most by
// the chaotic phase's χ1 ≈ 1.2 a layer over 12 layers; 1e-4 is over 100× that and far below
// any mistake in the maths (a wrong W orientation or bias changes c by ≥ 1e-2).
Deno.test("simulateNetwork(): the SIMD kernels and tfjs give the same layer statistics for one seed", async () => {
  const { tf } = await useBackend("wasm");
  for (const [act, sigma_w2, sigma_b2] of [["tanh", 1.5, 0.05], ["erf", 3, 0.3]] as const) {
    const spec = {
      activation: act,
      sigma_w2,
      sigma_b2,
      width: 301,
      depth: 12,
      q0: 1,
      c0: 0.3,
      pairs: 8,
      draws: 2,
    };
    const run = async (kernels: NetworkKernels) => {
      const out: LayerStats[] = [];
      for await (const s of simulateNetwork(tf, spec, new Rng(5), async () => {}, kernels)) {
        out.push(s);
      }
      return out;
    };
    const [simd, tfjs] = [await run("simd"), await run("tfjs")];
    assertEquals(simd.length, tfjs.length);
    for (let l = 0; l < simd.length; l++) {
      assertAlmostEquals(simd[l].q / tfjs[l].q, 1, 1e-4, `${act}: q at layer ${l}`);
      assertAlmostEquals(simd[l].c, tfjs[l].c, 1e-4, `${act}: c at layer ${l}`);
    }
  }
});
