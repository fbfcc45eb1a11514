/**
 * How many threads compute: `--threads` for `watch` (runs at once, each in a Worker) and for
 * `run` (the float64 kernels' threads), one bound and one default for both.
 *
 * @module
 */
import { MAX_POOL_THREADS } from "../compute/f64/mod.ts";

/** The kernel pool's bound, so that `--threads` means the same at both layers. */
export const MAX_THREADS = MAX_POOL_THREADS;

/** The cores this machine has: the default. */
export const CORES = Math.max(1, Math.min(MAX_THREADS, navigator.hardwareConcurrency || 1));

/** `--threads <value>` checked; the message names the flag and what is allowed. */
export function parseThreads(value: string, what: string): number {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= 1 && n <= MAX_THREADS)) {
    throw new RangeError(
      `--threads must be an integer in [1, ${MAX_THREADS}] (${what}), got "${value}"`,
    );
  }
  return n;
}
