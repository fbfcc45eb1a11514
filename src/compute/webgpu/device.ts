/**
 * Deno's native WebGPU (`navigator.gpu`, no tfjs in between) for the float32 kernels of
 * src/compute/webgpu/: one device a thread, its compiled pipelines cached by source, and the
 * few buffer moves every kernel user needs. A software adapter (llvmpipe, which Deno offers
 * where there is no GPU: `isFallbackAdapter`) is a real WebGPU implementation, so the kernels
 * are tested on it; it is a CPU rasteriser and is never timed or chosen by `auto`.
 *
 * @module
 */
import { countGpuDispatches } from "../usage.ts";

/** One recorded dispatch (or several): what a trainer builds once and encodes every step. */
export type Encode = (pass: GPUComputePassEncoder) => void;

export interface GpuAdapterInfo {
  /** the adapter's description ("llvmpipe (LLVM 15.0.6, 256 bits)", "NVIDIA H200") */
  readonly description: string;
  /** a software rasteriser: correct, far too slow to time */
  readonly fallback: boolean;
}

export class Gpu {
  readonly #pipelines = new Map<string, GPUComputePipeline>();
  constructor(readonly device: GPUDevice, readonly adapter: GpuAdapterInfo) {}

  /** The compute pipeline of WGSL `code` at `entry`, compiled once per thread. */
  pipeline(code: string, entry = "main"): GPUComputePipeline {
    const key = `${entry}\n${code}`;
    let p = this.#pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ code });
      p = this.device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: entry },
      });
      this.#pipelines.set(key, p);
    }
    return p;
  }

  /** A storage buffer of `floats` 4-byte words (≥ 1), zeroed, or holding `data`. */
  storage(floats: number, data?: ArrayBufferView<ArrayBuffer>): GPUBuffer {
    const size = Math.max(16, Math.ceil((floats * 4) / 16) * 16);
    const buffer = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    if (data) this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  /** A uniform buffer holding `words` (u32 and f32 words packed in one ArrayBuffer). */
  uniform(words: ArrayBuffer): GPUBuffer {
    const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
    const buffer = this.device.createBuffer({
      size,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buffer, 0, words);
    return buffer;
  }

  bindGroup(pipeline: GPUComputePipeline, buffers: readonly GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  /** Encode one dispatch into `pass` (and count it: the run's `computed` line names them). */
  dispatch(
    pass: GPUComputePassEncoder,
    pipeline: GPUComputePipeline,
    group: GPUBindGroup,
    x: number,
    y = 1,
    z = 1,
  ): void {
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    countGpuDispatches(1, this.adapter.description);
  }

  /**
   * A dispatch of WGSL `code` over `groups` workgroups, its uniform (`words`) and `buffers`
   * bound from binding 1 on: pipeline, uniform and bind group made once.
   */
  kernel(
    code: string,
    words: ArrayBuffer,
    buffers: readonly GPUBuffer[],
    groups: readonly [number, number],
  ): Encode {
    const pipeline = this.pipeline(code);
    const group = this.bindGroup(pipeline, [this.uniform(words), ...buffers]);
    return (pass) => this.dispatch(pass, pipeline, group, groups[0], groups[1]);
  }

  /** `encodes` in one compute pass, submitted (the host does not wait). */
  submit(encodes: readonly Encode[]): void {
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const e of encodes) e(pass);
    pass.end();
    this.device.queue.submit([enc.finish()]);
  }

  /**
   * The first `floats` words of each buffer, read back after everything submitted so far:
   * one copy and one map for all of them.
   */
  async read(buffers: readonly { buffer: GPUBuffer; floats: number }[]): Promise<Float32Array[]> {
    const sizes = buffers.map((b) => b.floats * 4);
    const total = sizes.reduce((a, b) => a + b, 0);
    const staging = this.device.createBuffer({
      size: Math.max(16, Math.ceil(total / 16) * 16),
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    const enc = this.device.createCommandEncoder();
    let at = 0;
    buffers.forEach((b, i) => {
      if (sizes[i] > 0) enc.copyBufferToBuffer(b.buffer, 0, staging, at, sizes[i]);
      at += sizes[i];
    });
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    at = 0;
    return sizes.map((s) => {
      const out = all.slice(at / 4, (at + s) / 4);
      at += s;
      return out;
    });
  }
}

export class GpuUnavailable extends Error {}

let adapterFound: Promise<{ adapter: GPUAdapter; info: GpuAdapterInfo }> | undefined;
let found: Promise<Gpu> | undefined;

/** This thread's WebGPU adapter, without a device (what `auto` looks at before choosing). */
export function gpuAdapter(): Promise<{ adapter: GPUAdapter; info: GpuAdapterInfo }> {
  adapterFound ??= (async () => {
    const nav = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
    if (!nav) throw new GpuUnavailable("this runtime has no navigator.gpu");
    const adapter = await nav.requestAdapter().catch(() => null);
    if (!adapter) throw new GpuUnavailable("no WebGPU adapter on this machine");
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      adapter,
      info: {
        description: info.description ||
          [info.vendor, info.architecture].filter(Boolean).join(" ") || "unknown adapter",
        fallback: info.isFallbackAdapter === true,
      },
    };
  })();
  adapterFound.catch(() => (adapterFound = undefined));
  return adapterFound;
}

/**
 * This thread's WebGPU device. Fails with GpuUnavailable where Deno finds no adapter (or the
 * adapter gives no device); a failure is not cached, so a later call tries again.
 */
export function gpu(): Promise<Gpu> {
  found ??= (async () => {
    const { adapter, info } = await gpuAdapter();
    const limits = adapter.limits;
    // the largest buffers the adapter allows (the default limits are 128 MiB a binding)
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
      },
    }).catch((err) => {
      throw new GpuUnavailable(`the adapter ${info.description} gave no device (${err})`);
    });
    return new Gpu(device, info);
  })();
  found.catch(() => (found = undefined));
  return found;
}

/** Whether a WebGPU adapter exists here (tests on the software adapter are ignored without one). */
export async function hasGpu(): Promise<boolean> {
  try {
    await gpu();
    return true;
  } catch {
    return false;
  }
}
