/**
 * The float64 pool's one job and its tasks, shared by the calling thread and the helpers:
 * C += A·B over a padded block, split into row blocks of MC rows, each block walking B's
 * k-blocks in order (its rows of C see every k-block, so no two tasks write the same bytes).
 * With `lower`, a row block stops at its own last column (a symmetric update's lower half:
 * half the work of Cholesky's trailing update).
 *
 * The control block (an Int32Array on a SharedArrayBuffer) holds the job: CTRL names its
 * slots. Every offset and length is in bytes or elements as named.
 *
 * @module
 */

/** Rows of C per task: A's 64 × KC block (128 KiB) stays in L2 while B's panels pass. */
export const MC = 64;
/** The k-block: one panel of B, KC × 4 doubles (8 KiB), stays in L1 across a row block. */
export const KC = 256;

export const CTRL = {
  /** bumped to start a job; helpers wait on it */
  gen: 0,
  /** tasks in the job (−1: close) */
  tasks: 1,
  /** the next task to take */
  next: 2,
  /** tasks finished */
  done: 3,
  a: 4,
  /** A's row stride, bytes */
  lda: 5,
  /** packed B (pack.ts) */
  bp: 6,
  c: 7,
  /** C's row stride, bytes */
  ldc: 8,
  /** rows of C (a multiple of 4) */
  rows: 9,
  /** panels of four columns of C */
  panels: 10,
  /** the inner dimension */
  k: 11,
  /** 1: only the lower half (a row block's columns end at its last row) */
  lower: 12,
  /** panels per task: a short, wide C is split by columns too, so every thread has work */
  chunk: 13,
  length: 14,
} as const;

export type TileKernel = (
  a: number,
  lda: number,
  bp: number,
  kc: number,
  c: number,
  ldc: number,
  rows: number,
  panels: number,
) => void;

/** How many tasks a job of `rows` rows and `panels` panels is split into, `chunk` panels each. */
export function taskCount(rows: number, panels: number, chunk: number): number {
  return Math.ceil(rows / MC) * Math.ceil(panels / chunk);
}

/**
 * Task t of the job in `ctrl`: one row block of MC rows of C (t mod the row blocks) and one
 * chunk of its panels, every k-block in turn. Each element of C is summed in the same order
 * whatever the split, so the bits do not depend on the number of threads.
 */
export function runTask(tile: TileKernel, ctrl: Int32Array, t: number): void {
  const rows = ctrl[CTRL.rows], k = ctrl[CTRL.k], lda = ctrl[CTRL.lda], ldc = ctrl[CTRL.ldc];
  const rowBlocks = Math.ceil(rows / MC);
  const r0 = (t % rowBlocks) * MC;
  const p0 = Math.floor(t / rowBlocks) * ctrl[CTRL.chunk];
  const mr = Math.min(MC, rows - r0);
  const end = ctrl[CTRL.lower] ? Math.min(ctrl[CTRL.panels], (r0 + mr) / 4) : ctrl[CTRL.panels];
  const panels = Math.min(end, p0 + ctrl[CTRL.chunk]) - p0;
  if (panels <= 0) return;
  const a = ctrl[CTRL.a] + r0 * lda, c = ctrl[CTRL.c] + r0 * ldc + 32 * p0;
  // packed B: k-block kb starts after kb full blocks of every panel (gemm.ts's packB)
  const blockBytes = KC * 32 * ctrl[CTRL.panels];
  for (let k0 = 0, kb = 0; k0 < k; k0 += KC, kb++) {
    const kc = Math.min(KC, k - k0);
    tile(a + 8 * k0, lda, ctrl[CTRL.bp] + kb * blockBytes + p0 * kc * 32, kc, c, ldc, mr, panels);
  }
}
