/**
 * One float32 CD-1 step of a SimdRbm checked against the float64 CD-1 gradient (rbm.ts's
 * cdGradient, h0 drawn from the same seed, the reconstruction as probabilities): the weights
 * must move by lr × dW. Tolerance 1e-6: float32 products of O(1) numbers summed over a few
 * dozen examples are good to ≈ 1e-7 relative.
 *
 * @module
 */
import { assertAlmostEquals } from "../assert.ts";
import { cdGradient, type SimdRbm } from "../../src/cheap/rbm.ts";
import { Rng } from "../../src/random/rng.ts";

/** Steps `rbm` on `data` (rows of nv 0/1 values) at rate lr, drawing h0 from `seed`; returns the step's error. */
export function checkCdStep(
  rbm: SimdRbm,
  data: number[][],
  lr: number,
  seed: number,
  label = "",
): number {
  const { nv, nh } = rbm;
  const ref = {
    nv,
    nh,
    W: Float64Array.from(rbm.W),
    b: Float64Array.from(rbm.b),
    c: Float64Array.from(rbm.c),
  };
  const before = Float64Array.from(rbm.W);
  const err = rbm.step(data.flat(), lr, 0, 0, new Rng(seed));
  const [dW] = cdGradient(ref, data, 1, new Rng(seed), "probability");
  for (let q = 0; q < nv * nh; q++) {
    assertAlmostEquals(rbm.W[q] - before[q], lr * dW[q], 1e-6, `${label} W${q}`);
  }
  return err;
}
