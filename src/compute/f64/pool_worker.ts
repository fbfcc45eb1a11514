/**
 * One helper thread of the float64 kernel pool (pool.ts): it instantiates the kernels over
 * the pool's shared memory, says so, then waits on the control block for jobs and takes
 * their tasks one at a time (an atomic counter hands them out) until none is left. It never
 * returns to its event loop: a job is a few Atomics operations away, not a message.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { CTRL, runTask, type TileKernel } from "./tasks.ts";

self.onmessage = async (
  e: MessageEvent<{ module: WebAssembly.Module; memory: WebAssembly.Memory; ctrl: Int32Array }>,
) => {
  const { module, memory, ctrl } = e.data;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const tile = (instance.exports as unknown as { tile: TileKernel }).tile;
  self.postMessage("ready");
  let gen = Atomics.load(ctrl, CTRL.gen);
  for (;;) {
    Atomics.wait(ctrl, CTRL.gen, gen);
    gen = Atomics.load(ctrl, CTRL.gen);
    if (Atomics.load(ctrl, CTRL.tasks) < 0) break; // the pool closed
    for (;;) {
      const n = Atomics.load(ctrl, CTRL.tasks);
      const t = Atomics.add(ctrl, CTRL.next, 1);
      if (t >= n) break;
      runTask(tile, ctrl, t);
      if (Atomics.add(ctrl, CTRL.done, 1) + 1 === n) Atomics.notify(ctrl, CTRL.done);
    }
  }
  self.close();
};
