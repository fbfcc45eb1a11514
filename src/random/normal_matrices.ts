/**
 * Gaussian weight matrices drawn in a worker, `ahead` matrices before they
 * are needed, so that drawing (≈ 14 ns a normal, 0.7 s for a width-1000,
 * depth-50 network) overlaps the matrix products on the other core and never
 * holds the main thread. The worker has its own Rng seeded from the caller's,
 * and answers in order, so the matrices depend on the seed alone, not on timing.
 *
 * A Worker started from inside another Worker (a run's, src/runtime/run_worker.ts) takes
 * ≈ 0.5 s to start running in Deno 2.9, against ≈ 20 ms from a main thread, and the first
 * message it is sent arrives ≈ 0.5 s late too (later ones at once): a run worker calls
 * `prestartNormalWorker` while it warms, which starts one and sends it that first message,
 * and the first NormalMatrices takes that worker.
 *
 * @module
 */

import { Rng } from "./rng.ts";

// made when first needed: in a browser's worker the module has no URL to resolve against
const workerUrl = () => new URL("./normal_worker.ts", import.meta.url);
let spare: Worker | null = null;
let inThread = false;

/** Start a drawing worker now, for the next NormalMatrices to take (once; idle until then). */
export function prestartNormalWorker(): void {
  if (spare || inThread) return;
  spare = new Worker(workerUrl(), { type: "module" });
  spare.postMessage({ type: "wake" });
}

/**
 * Draw in the calling thread from now on (a browser's worker, src/browser/local_worker.ts: its
 * bundle has no module to start a drawing worker from). The same Rng drawn in the same order,
 * so the same seed gives the same matrices as the drawing worker.
 */
export function drawNormalsInThread(): void {
  inThread = true;
}

export class NormalMatrices {
  readonly #worker: Worker | null;
  /** drawing in this thread (drawNormalsInThread) */
  readonly #here: { rng: Rng; std: number } | null;
  readonly #waiting: ((m: Float32Array) => void)[] = [];
  readonly #ready: Float32Array[] = [];
  #requested = 0;
  #taken = 0;

  constructor(seed: number, readonly size: number, std: number, readonly ahead = 2) {
    if (inThread) {
      this.#worker = null;
      this.#here = { rng: new Rng(seed), std };
      return;
    }
    this.#here = null;
    this.#worker = spare ?? new Worker(workerUrl(), { type: "module" });
    spare = null;
    this.#worker.onmessage = (e: MessageEvent<Float32Array>) => {
      const take = this.#waiting.shift();
      if (take) take(e.data);
      else this.#ready.push(e.data);
    };
    this.#worker.postMessage({ type: "init", seed, size, std });
    this.#request(ahead);
  }

  /** The next matrix, as a flat Float32Array of `size` entries. */
  next(): Promise<Float32Array> {
    if (this.#here) {
      const m = new Float32Array(this.size);
      this.#here.rng.fillNormal(m, this.#here.std);
      return Promise.resolve(m);
    }
    this.#taken++;
    this.#request(this.#taken + this.ahead - this.#requested);
    const m = this.#ready.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#worker?.terminate();
  }

  #request(count: number): void {
    if (count <= 0) return;
    this.#requested += count;
    this.#worker!.postMessage({ type: "more", count });
  }
}
