/**
 * TypeScript tasks for tests/data_parallel_test.ts's pool jobs, imported by the pool's helper
 * threads. Arguments, doubles at argsAt: [tasks, inAt, outAt, byAt, failAt, flagAt]
 * (element offsets). Task t writes out[t] = in[t]², and by[t] = 1: this function runs only
 * on helpers (the caller runs its own `local` copy, which writes 0).
 *
 * @module
 */
export function squareTask(memory: WebAssembly.Memory, argsAt: number, t: number): void {
  const mem = new Float64Array(memory.buffer);
  const [, inAt, outAt, byAt, failAt, flagAt] = Array.from(
    mem.subarray(argsAt / 8, argsAt / 8 + 6),
    (x) => x | 0,
  );
  if (t === failAt) throw new Error(`task ${t} fails on purpose`);
  mem[outAt + t] = mem[inAt + t] * mem[inAt + t];
  mem[byAt + t] = 1;
  // tell a caller that waits for a helper to have run a task (Int32 view of the same bytes)
  const flag = new Int32Array(memory.buffer, flagAt * 8, 1);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
}
