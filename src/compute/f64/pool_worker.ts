/**
 * One helper thread of the float64 kernel pool (pool.ts): it instantiates the kernels over
 * the pool's shared memory, says so, then waits on the control block for jobs and takes
 * their tasks one at a time (tasks.ts's `claim`) until none is left. It returns to its event
 * loop only while a TypeScript task (job 3) imports its module or sets itself up: a job is
 * a few Atomics operations away, not a message.
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
      names: Uint8Array;
    }
  >,
) => {
  const { module, memory, ctrl, fargs, names } = e.data;
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const env: TaskEnv = { ...kernelsOf(instance), ctrl, fargs, names, memory };
  let seen = Atomics.load(ctrl, CTRL.next); // before "ready": no job can open before it
  self.postMessage("ready");
  for (;;) {
    Atomics.wait(ctrl, CTRL.next, seen); // until the pool opens a job (or closes)
    if (Atomics.load(ctrl, CTRL.tasks) < 0) break; // the pool closed
    seen = Atomics.load(ctrl, CTRL.next);
    const gen = genOf(seen);
    for (let t = claim(ctrl, gen); t >= 0; t = claim(ctrl, gen)) {
      const n = Atomics.load(ctrl, CTRL.tasks); // this job's: it cannot end before this task
      try {
        const pending = runTask(env, t); // a TypeScript task may import its module first
        if (pending) await pending;
      } catch (err) {
        // counted as done all the same, so the caller stops waiting and throws
        console.error(`a kernel thread's task failed: ${(err as Error)?.stack ?? err}`);
        Atomics.store(ctrl, CTRL.failed, 1);
      }
      if (Atomics.add(ctrl, CTRL.done, 1) + 1 === n) Atomics.notify(ctrl, CTRL.done);
    }
    seen = Atomics.load(ctrl, CTRL.next);
  }
  self.close();
};
