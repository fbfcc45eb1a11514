/**
 * Worker side of NormalMatrices: draws Float32Array matrices of N(0, std²)
 * from its own seeded Rng, in order, and transfers each to the caller.
 *
 * @module
 */
import { Rng } from "./rng.ts";

interface Scope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}
const scope = self as unknown as Scope;

let rng = new Rng(0);
let size = 0;
let std = 1;

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { type: "init"; seed: number; size: number; std: number } | {
    type: "more";
    count: number;
  } | { type: "wake" };
  if (m.type === "wake") return; // normal_matrices.ts's prestart: see there
  if (m.type === "init") {
    rng = new Rng(m.seed);
    size = m.size;
    std = m.std;
    return;
  }
  for (let k = 0; k < m.count; k++) {
    const buf = new Float32Array(size);
    rng.fillNormal(buf, std);
    scope.postMessage(buf, [buf.buffer]);
  }
};
