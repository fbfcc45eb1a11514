/**
 * Grids for sweeps.
 *
 * @module
 */

/** `count` points from lo to hi, evenly spaced in log (lo, hi > 0; count ≥ 2: both ends). */
export function logspace(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => lo * (hi / lo) ** (k / (count - 1)));
}
