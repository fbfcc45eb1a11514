/**
 * What the critical-point search and the Newton-type optimizers need of a loss:
 * its value, gradient, exact Hessian and Hessian-vector products, in float64.
 * The tanh network (mlp.ts) and the test saddles implement it.
 *
 * @module
 */
export interface Objective {
  /** number of parameters */
  readonly n: number;
  loss(theta: Float64Array): number;
  gradient(theta: Float64Array): Float64Array;
  /** n × n row-major, symmetric */
  hessian(theta: Float64Array): Float64Array;
  /** H v without forming H */
  hvp(theta: Float64Array, v: Float64Array): Float64Array;
}

export function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** f(x, y) = a x² + b y²: a saddle at 0 when a b < 0 (issue #4's 5x² − y²). */
export function quadratic2(a: number, b: number): Objective {
  return {
    n: 2,
    loss: (t) => a * t[0] * t[0] + b * t[1] * t[1],
    gradient: (t) => Float64Array.of(2 * a * t[0], 2 * b * t[1]),
    hessian: () => Float64Array.of(2 * a, 0, 0, 2 * b),
    hvp: (_t, v) => Float64Array.of(2 * a * v[0], 2 * b * v[1]),
  };
}
