/**
 * Choosing TensorFlow.js's backend (DESIGN.md "Compute"). `auto` takes WebGPU
 * only on a hardware adapter: Deno offers llvmpipe, a CPU rasteriser, as a
 * fallback adapter, and it is several times slower than wasm (STACK.md).
 * tfjs is imported lazily so that `list` and the server start without it.
 *
 * @module
 */

export type Tf = typeof import("@tensorflow/tfjs");

export const BACKENDS = ["auto", "webgpu", "wasm", "cpu"] as const;
export type BackendChoice = typeof BACKENDS[number];

export interface BackendInfo {
  /** the run's backend: what `auto` resolved to, or what was asked for */
  backend: "webgpu" | "wasm" | "cpu";
  /**
   * the backend tfjs itself runs on: a webgpu run's tfjs parts run on wasm, in Deno and in a
   * browser alike. tfjs-webgpu reads results back synchronously (`dataSync`, which the pipelines
   * use throughout) by drawing to a canvas: Deno has none ("Cannot read properties of null
   * (reading 'clearRect')": signal-propagation, deep-linear and neurodynamics failed on it), and
   * in headless Chromium on SwiftShader it reads all zeros, silently (neurodynamics' tangents
   * vanished), after which the page's WebGPU instance is lost. The float32 engine (float32.ts)
   * carries the run's GPU work on our own WGSL kernels instead, read back asynchronously.
   */
  tfjs: "wasm" | "cpu";
  /** the WebGPU adapter's description, when one was found */
  adapter: string | null;
  fallback_adapter: boolean | null;
}

export class BackendError extends Error {}

interface Adapter {
  description: string;
  fallback: boolean;
}

async function findAdapter(): Promise<Adapter | null> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  return {
    // vendor is often a bare PCI id ("65541"); the description names the device
    description: info.description || [info.vendor, info.architecture].filter(Boolean).join(" ") ||
      "unknown adapter",
    fallback: info.isFallbackAdapter === true,
  };
}

let loaded: Promise<Tf> | undefined;
let wasmFiles: Record<string, string> | null = null;

/**
 * A browser's worker (src/browser/local_worker.ts): where tfjs-wasm's binary is — a blob: URL of
 * the page's copy, since a worker built from a blob (or a file:// page) has no path to fetch it
 * from. Before the first run.
 */
export function provideTfjsWasm(files: Record<string, string>): void {
  wasmFiles = files;
}
const ready = new Map<string, Promise<BackendInfo>>();

async function loadTf(): Promise<Tf> {
  loaded ??= (async () => {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (wasmFiles) wasm.setWasmPaths(wasmFiles);
    return tf;
  })();
  return await loaded;
}

async function initBackend(choice: BackendChoice): Promise<BackendInfo> {
  const tf = await loadTf();
  const adapter = choice === "wasm" || choice === "cpu" ? null : await findAdapter();
  let backend: BackendInfo["backend"];
  if (choice === "auto") backend = adapter && !adapter.fallback ? "webgpu" : "wasm";
  else backend = choice;
  if (backend === "webgpu" && !adapter) {
    throw new BackendError("backend webgpu: no WebGPU adapter on this machine; use wasm or cpu");
  }
  // a webgpu run's GPU work is the float32 engine's; tfjs itself stays on wasm (BackendInfo.tfjs)
  const tfjs = backend === "webgpu" ? "wasm" : backend;
  if (!(await tf.setBackend(tfjs))) {
    throw new BackendError(`backend ${tfjs} failed to initialise`);
  }
  await tf.ready();
  return {
    backend,
    tfjs,
    adapter: adapter?.description ?? null,
    fallback_adapter: adapter?.fallback ?? null,
  };
}

/**
 * tfjs with the chosen backend active. tfjs has one active backend per
 * process, so a process runs one backend at a time: the server picks it once.
 */
export async function useBackend(choice: BackendChoice): Promise<{ tf: Tf; info: BackendInfo }> {
  let info = ready.get(choice);
  if (!info) {
    info = initBackend(choice);
    ready.set(choice, info);
    info.catch(() => ready.delete(choice));
  }
  const resolved = await info;
  const tf = await loadTf();
  if (tf.getBackend() !== resolved.tfjs) await tf.setBackend(resolved.tfjs);
  return { tf, info: resolved };
}
