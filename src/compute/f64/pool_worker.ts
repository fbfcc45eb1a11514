/**
 * One helper thread of the float64 kernel pool (pool.ts): it instantiates the kernels over
 * the pool's shared memory, says so, then waits on the control block for jobs and takes
 * their tasks one at a time (tasks.ts's `claim`) until none is left. It never returns to its
 * event loop: a job is a few Atomics operations away, not a message.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { claim, CTRL, genOf, kernelsOf, runTask, type TaskEnv } from "./tasks.ts";

self.onmessage = async (
  e: MessageEvent<
    {
      module: WebAssembly.Module;
      memory: WebAssembly.Memory;
      ctrl: Int32Array;
      fargs: Float64Array;
    }
  >,
) => {
  const { module, memory, ctrl, fargs } = e.data;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const env: TaskEnv = { ...kernelsOf(instance), ctrl, fargs, memory };
  let seen = Atomics.load(ctrl, CTRL.next); // before "ready": no job can open before it
  self.postMessage("ready");
  for (;;) {
    Atomics.wait(ctrl, CTRL.next, seen); // until the pool opens a job (or closes)
    if (Atomics.load(ctrl, CTRL.tasks) < 0) break; // the pool closed
    seen = Atomics.load(ctrl, CTRL.next);
    const gen = genOf(seen);
    for (let t = claim(ctrl, gen); t >= 0; t = claim(ctrl, gen)) {
      const n = Atomics.load(ctrl, CTRL.tasks); // this job's: it cannot end before this task
      runTask(env, t);
      if (Atomics.add(ctrl, CTRL.done, 1) + 1 === n) Atomics.notify(ctrl, CTRL.done);
    }
    seen = Atomics.load(ctrl, CTRL.next);
  }
  self.close();
};
