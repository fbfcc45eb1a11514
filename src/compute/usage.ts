/**
 * What really computed a run (issue #28's honest meta): counters that the compute layers
 * advance as they work — float32 SIMD kernel instances (one per net), float64 pool jobs, and
 * tfjs tensors created — read at a run's start and end. The `done` row names the parts whose
 * counter moved, so a run never claims a backend that did not run (a `--backend webgpu` run
 * whose trainer is the SIMD one says so).
 *
 * Counters are per thread; two runs on one thread at once (tests) share them.
 *
 * @module
 */
import type { Tf } from "./backend.ts";
import { f64Backend, f64Pool } from "./f64/mod.ts";

let simdInstances = 0;
let gpuDispatches = 0;
/** the adapter that the dispatches ran on (one a thread) */
let gpuAdapter = "";

/** Called by src/compute/simd_kernels.ts for each instance: a net on the float32 kernels. */
export function countSimdInstance(): void {
  simdInstances++;
}

/** Called by src/compute/webgpu/device.ts for each compute dispatch it encodes. */
export function countGpuDispatches(n: number, adapter?: string): void {
  gpuDispatches += n;
  if (adapter) gpuAdapter = adapter;
}

/** tfjs's running count of tensors created (a static of its Engine; absent: not counted). */
function tensorsCreated(tf: Tf): number {
  const engine = tf.engine().constructor as { nextTensorId?: unknown };
  return typeof engine.nextTensorId === "number" ? engine.nextTensorId : 0;
}

export interface UsageMark {
  readonly simd: number;
  readonly gpu: number;
  readonly f64: number;
  readonly ts: number;
  readonly tensors: number;
}

export function markUsage(tf: Tf): UsageMark {
  const pool = f64Pool();
  return {
    simd: simdInstances,
    gpu: gpuDispatches,
    f64: pool?.jobs ?? 0,
    ts: pool?.tsJobs ?? 0,
    tensors: tensorsCreated(tf),
  };
}

/**
 * The parts that computed since `from`, in words: e.g. "float32 wasm-simd (3 nets);
 * float64 wasm-simd f64x2 × 2 threads (41 jobs); data-parallel × 2 threads (6,000 jobs);
 * tfjs wasm (1,204 tensors)". Plain
 * TypeScript (the theory, small float64 work) always runs and is not named.
 */
export function usageSince(from: UsageMark, tf: Tf, backend: string): string {
  const now = markUsage(tf);
  const parts: string[] = [];
  const n = (x: number) => x.toLocaleString("en-US");
  const simd = now.simd - from.simd, f64 = now.f64 - from.f64, tensors = now.tensors - from.tensors;
  if (simd > 0) parts.push(`float32 wasm-simd (${n(simd)} net${simd > 1 ? "s" : ""})`);
  const gpu = now.gpu - from.gpu;
  // the adapter by name: a run on llvmpipe must not read as a run on a GPU
  if (gpu > 0) parts.push(`float32 webgpu ${gpuAdapter} (${n(gpu)} dispatches)`);
  if (f64 > 0) parts.push(`float64 ${f64Backend()} (${n(f64)} jobs)`);
  const ts = now.ts - from.ts, threads = f64Pool()?.threads ?? 1;
  // shards of a step or rows of a sweep, spread as TypeScript over the pool's threads
  if (ts > 0) parts.push(`data-parallel × ${threads} threads (${n(ts)} jobs)`);
  if (tensors > 0) parts.push(`tfjs ${backend} (${n(tensors)} tensors)`);
  return parts.length ? parts.join("; ") : "TypeScript only";
}

/**
 * Several workers' `usageSince` strings as one, counts added part by part: a sweep split over
 * workers says "float32 wasm-simd (12 nets) on 2 workers", not each shard's line.
 */
export function mergeUsage(parts: readonly (string | null)[]): string {
  const totals = new Map<string, { count: number; unit: string }>();
  for (const line of parts) {
    for (const piece of (line ?? "").split("; ")) {
      const m = piece.match(/^(.*) \(([\d,]+) (\w+)\)$/);
      if (!m) continue; // "TypeScript only", or a null from a worker ended from outside
      const t = totals.get(m[1]) ?? { count: 0, unit: m[3] };
      t.count += Number(m[2].replaceAll(",", ""));
      totals.set(m[1], t);
    }
  }
  const n = (x: number) => x.toLocaleString("en-US");
  const joined = [...totals].map(([part, t]) => `${part} (${n(t.count)} ${t.unit})`).join("; ");
  return `${joined || "TypeScript only"} on ${parts.length} workers`;
}
