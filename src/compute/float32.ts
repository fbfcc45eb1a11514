/**
 * The float32 engine (DESIGN.md "Compute", layer 2): the one interface the science trains
 * its float32 nets through, on WebGPU (src/compute/webgpu/) or on the WebAssembly SIMD
 * kernels (simd_kernels.ts). `--backend` picks it:
 *
 *   auto     WebGPU on a hardware adapter, else wasm-simd (a software adapter is never chosen)
 *   webgpu   WebGPU on whatever adapter Deno finds, the software one included (tests use it)
 *   wasm/cpu wasm-simd (cpu only moves tfjs to its plain-JS backend)
 *
 * float64 work (eigenvalues, Cholesky, quadrature, the theory) never comes here: WebGPU has
 * no f64, and it stays on the float64 WebAssembly pool.
 *
 * A group of nets is the unit: nets of one shape that a sweep trains side by side. WebGPU
 * steps a whole group in one batched dispatch a product; wasm steps its nets one after
 * another, and a sweep on wasm asks for groups of one (`group`), so its cells still stream
 * one by one.
 *
 * @module
 */
import type { BackendChoice } from "./backend.ts";
import { type MlpSpec, SimdMlp } from "./simd_mlp.ts";
export { score } from "./simd_mlp.ts";
import { type Gpu, gpu, gpuAdapter, GpuUnavailable } from "./webgpu/device.ts";
import type { Rng } from "../random/rng.ts";

/** Z nets of one shape, trained side by side on one engine. */
export interface Float32Mlps {
  readonly count: number;
  /** the training rows (and labels, or target rows) that `step`'s indices point into */
  bind(x: readonly Float32Array[], y: readonly number[] | readonly Float32Array[]): void;
  /** one gradient step of every net at rate lr, net z on rows idx[z] of the bound data */
  step(idx: readonly ArrayLike<number>[], lr: number): void;
  /** each net's minibatch loss of every step since the last call (NaN/∞ once diverged) */
  losses(): Promise<Float64Array[]>;
  /** each net's outputs (rows × outputs) for the rows x */
  outputs(x: readonly Float32Array[]): Promise<Float32Array[][]>;
  dispose(): void;
}

export interface Float32Engine {
  /** what computes: "wasm-simd" or "webgpu" */
  readonly kind: "wasm-simd" | "webgpu";
  /** the WebGPU adapter's description (null on wasm) */
  readonly adapter: string | null;
  /** nets a sweep should train at once: 1 on wasm, many on a GPU */
  readonly group: number;
  /**
   * The WebGPU device (null on wasm), for trainers of their own shape (diffusion's reverse
   * model, the RBM, the deep linear net) that build their dispatches from src/compute/webgpu/.
   */
  readonly device: Gpu | null;
  /** nets of one shape (specs may differ in σw², σb², gain and rates), each from its rng */
  mlps(specs: readonly MlpSpec[], rngs: readonly Rng[]): Promise<Float32Mlps>;
}

/** The SimdMlp nets as a group: each steps in turn (the interface's wasm-simd side). */
class WasmMlps implements Float32Mlps {
  #x: readonly Float32Array[] = [];
  #y: readonly number[] | readonly Float32Array[] = [];
  #losses: number[][];
  constructor(readonly nets: SimdMlp[]) {
    this.#losses = nets.map(() => []);
  }
  get count() {
    return this.nets.length;
  }
  bind(x: readonly Float32Array[], y: readonly number[] | readonly Float32Array[]) {
    this.#x = x;
    this.#y = y;
  }
  step(idx: readonly ArrayLike<number>[], lr: number) {
    this.nets.forEach((net, z) => {
      const rows = Array.from(idx[z]);
      const y = rows.map((i) => this.#y[i]) as number[] | Float32Array[];
      this.#losses[z].push(net.step(rows.map((i) => this.#x[i]), y, lr));
    });
  }
  losses() {
    const out = this.#losses.map((l) => Float64Array.from(l));
    this.#losses = this.nets.map(() => []);
    return Promise.resolve(out);
  }
  outputs(x: readonly Float32Array[]) {
    return Promise.resolve(this.nets.map((net) => net.outputs(x)));
  }
  dispose() {}
}

export const WASM_ENGINE: Float32Engine = {
  kind: "wasm-simd",
  adapter: null,
  group: 1,
  device: null,
  async mlps(specs, rngs) {
    const nets = [];
    for (const [z, spec] of specs.entries()) nets.push(await SimdMlp.create(spec, rngs[z]));
    return new WasmMlps(nets);
  },
};

/** Nets a GPU group holds at most: enough to fill a GPU, few enough to stream the sweep. */
const GPU_GROUP = 16;

async function webgpuEngine(): Promise<Float32Engine> {
  const device = await gpu();
  const { GpuMlps } = await import("./webgpu/mlp.ts");
  return {
    kind: "webgpu",
    adapter: device.adapter.description,
    group: GPU_GROUP,
    device,
    mlps: (specs, rngs) => Promise.resolve(new GpuMlps(device, specs, rngs)),
  };
}

export class Float32BackendError extends Error {}

/** The engine `--backend` asks for (see the module note); `webgpu` without an adapter fails. */
export async function float32Engine(choice: BackendChoice): Promise<Float32Engine> {
  if (choice === "wasm" || choice === "cpu") return WASM_ENGINE;
  try {
    // auto looks at the adapter before it makes a device: a software one is never used
    if (choice === "auto" && (await gpuAdapter()).info.fallback) return WASM_ENGINE;
    return await webgpuEngine();
  } catch (err) {
    if (!(err instanceof GpuUnavailable)) throw err;
    if (choice === "auto") return WASM_ENGINE;
    throw new Float32BackendError(`backend webgpu: ${err.message}; use wasm or auto`);
  }
}
