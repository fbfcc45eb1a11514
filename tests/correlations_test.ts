import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { cholesky, choleskySolve, largestEigenvalue } from "../src/numerics/cholesky.ts";
import { exampleCorrelations } from "../src/linear/correlations.ts";
import { mnistCorrelations } from "../src/linear/mnist.ts";
import { matrix, svd } from "../src/numerics/svd.ts";
import { Rng } from "../src/random/rng.ts";

/** X (P × d) with Gaussian entries. */
function gaussian(rows: number, cols: number, seed: number): Float64Array {
  const a = new Float64Array(rows * cols);
  new Rng(seed).fillNormal(a);
  return a;
}

Deno.test("cholesky() factors an SPD matrix, choleskySolve() solves it, largestEigenvalue() finds its top", () => {
  const n = 12, x = gaussian(30, n, 1);
  const a = new Float64Array(n * n); // XᵀX: SPD
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let m = 0; m < 30; m++) a[i * n + j] += x[m * n + i] * x[m * n + j];
    }
  }
  const l = cholesky(a, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += l[i * n + k] * l[j * n + k];
      assertAlmostEquals(s, a[i * n + j], 1e-10);
    }
  }
  const b = gaussian(1, n, 2);
  const z = choleskySolve(l, n, b);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * z[j];
    assertAlmostEquals(s, b[i], 1e-9);
  }
  // the top eigenvalue of XᵀX is the top squared singular value of X
  assertAlmostEquals(largestEigenvalue(a, n) / svd(matrix(30, n, x)).s[0] ** 2, 1, 1e-9);
});

Deno.test("exampleCorrelations() finds the least-squares floor, checked against the SVD pseudo-inverse", () => {
  const p = 40, d = 6, k = 3;
  const x = gaussian(p, d, 3), y = gaussian(p, k, 4);
  const c = exampleCorrelations(x, y, p, d, k);
  // Independent: W* = Yᵀ U S⁻¹ Vᵀ from X = U S Vᵀ, then ½ Σ ‖y − W* x‖².
  const { u, s, v } = svd(matrix(p, d, x));
  let floor = 0;
  for (let m = 0; m < p; m++) {
    for (let j = 0; j < k; j++) {
      let fit = 0; // (X W*ᵀ)_{mj} = Σ_r U_mr (Uᵀ Y)_rj
      for (let r = 0; r < d; r++) {
        let uy = 0;
        for (let q = 0; q < p; q++) uy += u.data[q * d + r] * y[q * k + j];
        fit += u.data[m * d + r] * uy;
      }
      floor += (y[m * k + j] - fit) ** 2 / 2;
    }
  }
  assert(s.every((x) => x > 0) && v.rows === d);
  assertAlmostEquals(c.bestLoss, floor, 1e-8);
  assertAlmostEquals(c.trace33, y.reduce((a, b) => a + b * b, 0), 1e-9);
});

Deno.test("mnistCorrelations() loads a reproducible split: centred one-hot targets give tr Σ33 = 0.9 P", () => {
  const c = mnistCorrelations(5);
  assertEquals([c.inputs, c.outputs], [784, 10]);
  assertAlmostEquals(c.trace33, 50 * 0.9, 1e-9); // each target: 0.9² + 9 · 0.1²
  assert(c.bestLoss >= 0 && c.bestLoss < c.trace33 / 2, `floor ${c.bestLoss}`);
  assert(Number.isFinite(c.rateUnit) && c.rateUnit > 0);
  assertEquals(mnistCorrelations(5).bestLoss, c.bestLoss); // same split every time
});
