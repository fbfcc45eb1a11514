import { assert, assertAlmostEquals } from "./assert.ts";
import { matrix, svd } from "../src/numerics/svd.ts";
import { Rng } from "../src/random/rng.ts";

// One-sided Jacobi is accurate to a modest multiple of ε·‖A‖; 1e-12 on O(1) entries.
const TOL = 1e-12;

function check(rows: number, cols: number, seed: number) {
  const rng = new Rng(seed);
  const a = matrix(rows, cols);
  rng.fillNormal(a.data);
  const { u, s, v } = svd(a);
  const k = Math.min(rows, cols);
  // A = U diag(s) Vᵀ
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let x = 0;
      for (let r = 0; r < k; r++) x += u.data[i * k + r] * s[r] * v.data[j * k + r];
      assertAlmostEquals(x, a.data[i * cols + j], TOL);
    }
  }
  // UᵀU = VᵀV = I, s descending and non-negative
  for (const [m, n] of [[u, rows], [v, cols]] as const) {
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < k; q++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += m.data[i * k + p] * m.data[i * k + q];
        assertAlmostEquals(d, p === q ? 1 : 0, TOL);
      }
    }
  }
  for (let r = 1; r < k; r++) assert(s[r] <= s[r - 1] && s[r] >= 0);
  // Σ s² = ‖A‖_F²
  const fro = a.data.reduce((t, x) => t + x * x, 0);
  assertAlmostEquals(s.reduce((t, x) => t + x * x, 0) / fro, 1, TOL);
}

Deno.test("svd() reconstructs tall, wide and square matrices with orthonormal U and V", () => {
  check(40, 7, 1);
  check(6, 30, 2);
  check(12, 12, 3);
});

Deno.test("svd() of a rank-one matrix has one non-zero singular value, the product of the norms", () => {
  const x = [1, 2, 3], y = [4, -1];
  const a = matrix(3, 2, x.flatMap((xi) => y.map((yj) => xi * yj)));
  const { s } = svd(a);
  assertAlmostEquals(s[0], Math.hypot(...x) * Math.hypot(...y), TOL);
  assertAlmostEquals(s[1], 0, TOL);
});
