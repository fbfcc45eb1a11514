/**
 * Complex numbers as [re, im] pairs, for the Stieltjes-transform solvers (src/isometry,
 * src/gram): a few allocation-light operations, nothing more.
 *
 * @module
 */
export type C = [number, number];
export const ONE: C = [1, 0];
export const add = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
export const sub = (a: C, b: C): C => [a[0] - b[0], a[1] - b[1]];
export const mul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
export const scale = (a: C, s: number): C => [a[0] * s, a[1] * s];
export const div = (a: C, b: C): C => {
  const d = b[0] * b[0] + b[1] * b[1];
  return [(a[0] * b[0] + a[1] * b[1]) / d, (a[1] * b[0] - a[0] * b[1]) / d];
};
/** The principal logarithm: arg in (−π, π]. */
export const log = (a: C): C => [Math.log(Math.hypot(a[0], a[1])), Math.atan2(a[1], a[0])];
