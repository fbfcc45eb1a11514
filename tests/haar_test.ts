/**
 * Haar orthogonal matrices as Householder reflectors (src/random/haar.ts), checked against
 * closed forms: QᵀQ = I at odd sizes (1, 7, 301, 1001: one block, several, a partial last
 * one), and the law — for Haar O(n), E[(tr Q)^k] equals the k-th moment of a standard normal
 * for every k ≤ n (Diaconis & Shahshahani 1994), so at n = 7: 0, 1, 0, 3 for k = 1…4.
 */
import { assert, assertEquals } from "./assert.ts";
import { HaarOrthogonal } from "../src/random/haar.ts";
import { matmul } from "../src/numerics/matmul.ts";
import { startF64Pool, stopF64Pool } from "../src/compute/f64/mod.ts";
import { Rng } from "../src/random/rng.ts";

/** max |QQᵀ − I|: rounding grows like √n·ε per entry; 1e-13 is 450 ε, 20× what n = 1001 shows. */
const ORTH_TOL = 1e-13;

function orthogonalityError(q: Float64Array, n: number): number {
  const g = matmul(q, q, n, n, n, { transB: true });
  let err = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(g[i * n + j] - (i === j ? 1 : 0)));
  }
  return err;
}

Deno.test("HaarOrthogonal: QQᵀ = I at odd sizes, on one thread and on the kernel pool", async () => {
  for (const n of [1, 7, 301, 1001]) {
    const err = orthogonalityError(new HaarOrthogonal(n, new Rng(n)).toDense(), n);
    assert(err < ORTH_TOL, `n = ${n}: |QQᵀ − I| = ${err}`);
  }
  await startF64Pool(2);
  try {
    const err = orthogonalityError(new HaarOrthogonal(1001, new Rng(3)).toDense(), 1001);
    assert(err < ORTH_TOL, `n = 1001 on the pool: |QQᵀ − I| = ${err}`);
  } finally {
    stopF64Pool();
  }
});

Deno.test("HaarOrthogonal: the trace's moments are a standard normal's up to order n (n = 7)", () => {
  const n = 7, draws = 20_000, rng = new Rng(5);
  const sums = [0, 0, 0, 0];
  for (let d = 0; d < draws; d++) {
    const q = new HaarOrthogonal(n, rng).toDense();
    let tr = 0;
    for (let i = 0; i < n; i++) tr += q[i * n + i];
    for (let k = 0; k < 4; k++) sums[k] += tr ** (k + 1);
  }
  const normal = [0, 1, 0, 3];
  // 5 standard errors: √(Var tr^k / draws) with Var = E Z^{2k} − (E Z^k)² = 1, 2, 15, 96
  const tol = [1, 2, 15, 96].map((v) => 5 * Math.sqrt(v / draws));
  for (let k = 0; k < 4; k++) {
    const mean = sums[k] / draws;
    assert(
      Math.abs(mean - normal[k]) < tol[k],
      `E[(tr Q)^${k + 1}] = ${mean.toFixed(4)}, Haar: ${normal[k]} ± ${tol[k].toFixed(3)}`,
    );
  }
});

Deno.test("HaarOrthogonal.applyLeft(): Q M equals the dense Q times M, and the bits do not depend on 1, 2, 3 threads", async () => {
  const n = 301, cols = 67;
  const m = new Float64Array(n * cols);
  new Rng(9).fillNormal(m);
  const dense = new HaarOrthogonal(n, new Rng(4)).toDense();
  const plain = m.slice();
  new HaarOrthogonal(n, new Rng(4)).applyLeft(plain, cols);
  // independent: the product with the formed matrix, summed in another order
  const ref = matmul(dense, m, n, n, cols);
  let err = 0;
  for (let i = 0; i < ref.length; i++) err = Math.max(err, Math.abs(plain[i] - ref[i]));
  assert(err < 1e-12, `|QM − dense(Q)·M| = ${err}`);
  for (const threads of [1, 2, 3]) {
    await startF64Pool(threads);
    try {
      const x = m.slice();
      new HaarOrthogonal(n, new Rng(4)).applyLeft(x, cols);
      assertEquals(x, plain, `${threads} threads`);
    } finally {
      stopF64Pool();
    }
  }
});

Deno.test("HaarOrthogonal refuses a size that is not a positive integer", () => {
  for (const n of [0, -3, 2.5]) {
    let message = "";
    try {
      new HaarOrthogonal(n, new Rng(1));
    } catch (e) {
      message = (e as Error).message;
    }
    assert(message.includes("positive integer"), `n = ${n}: ${message}`);
  }
});
