/**
 * Which steps of a long loop report: `count` evenly spaced ticks out of `total`
 * steps, the last step always among them — for evaluations during training, loss
 * rows a chart can hold, and progress lines.
 *
 * @module
 */

export interface Ticks {
  /** steps between ticks (≥ 1) */
  readonly every: number;
  /** whether step s (1…total) reports */
  has(s: number): boolean;
}

export function ticks(total: number, count: number): Ticks {
  const every = Math.max(1, Math.floor(total / Math.max(1, count)));
  return { every, has: (s) => s % every === 0 || s === total };
}
