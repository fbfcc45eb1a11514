import { assert, assertAlmostEquals } from "./assert.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";
import { Rng } from "../src/random/rng.ts";

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  }
  return a;
}

// Householder + QL is backward stable: residuals are a small multiple of ε·‖A‖ (‖A‖ ≈ 2√n here).
for (const n of [1, 2, 3, 7, 60]) {
  Deno.test(`symmetric eigen n=${n}: A V = V Λ, Vᵀ V = I, Σλ = tr A, ascending`, () => {
    const a = randomSymmetric(n, 11 + n);
    const { values, vectors } = symmetricEigen(a, n, true);
    const tol = 1e-12 * n;
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    assertAlmostEquals(values.reduce((s, x) => s + x, 0), trace, tol);
    for (let k = 1; k < n; k++) assert(values[k - 1] <= values[k]);
    const v = vectors!;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * v[k * n + j];
        assertAlmostEquals(av, values[k] * v[k * n + i], tol, `(A v_${k})_${i}`);
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[k * n + i] * v[l * n + i];
        assertAlmostEquals(dot, k === l ? 1 : 0, tol, `v_${k}·v_${l}`);
      }
    }
    // values alone agree with values from the full decomposition
    const alone = symmetricEigen(a, n).values;
    for (let k = 0; k < n; k++) assertAlmostEquals(alone[k], values[k], tol);
  });
}

Deno.test("symmetric eigen: closed forms (diagonal, degenerate, path-graph Laplacian)", () => {
  // diag(3, −1, 2) is already tridiagonal with e = 0
  const d = symmetricEigen(Float64Array.of(3, 0, 0, 0, -1, 0, 0, 0, 2), 3).values;
  assertAlmostEquals(d[0], -1, 0);
  assertAlmostEquals(d[1], 2, 0);
  assertAlmostEquals(d[2], 3, 0);
  // the all-ones 4 × 4: eigenvalues 0, 0, 0, 4
  const ones = symmetricEigen(new Float64Array(16).fill(1), 4).values;
  for (let k = 0; k < 3; k++) assertAlmostEquals(ones[k], 0, 1e-14);
  assertAlmostEquals(ones[3], 4, 1e-14);
  // tridiagonal toeplitz 2, −1: λ_k = 2 − 2 cos(kπ/(n+1))
  const n = 50;
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = 2;
    if (i + 1 < n) t[i * n + i + 1] = t[(i + 1) * n + i] = -1;
  }
  const vals = symmetricEigen(t, n).values;
  for (let k = 1; k <= n; k++) {
    assertAlmostEquals(vals[k - 1], 2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 1e-13);
  }
});

// The float64 pool's trailing pass (n ≥ 160): SIMD sums pair entries differently from the
// plain loop, so the two agree to rounding — backward stability bounds each eigenvalue's
// error by a small multiple of ε·‖A‖, and ‖A‖ ≈ 2√n ≈ 63 at n = 1001: 1e-12 is ≈ 70 ε‖A‖. Across
// thread counts the tasks are the same and are summed in the same order: the same bits.
Deno.test("symmetric eigen on the kernel pool: the plain loop's values at n = 161, 301, 1001, the same bits on 1, 2, 3 threads, A V = V Λ", async () => {
  const { startF64Pool, stopF64Pool } = await import("../src/compute/f64/mod.ts");
  for (const n of [161, 301, 1001]) {
    const a = randomSymmetric(n, n);
    const plain = symmetricEigen(a, n).values;
    let first: Float64Array | null = null;
    for (const threads of [1, 2, 3]) {
      await startF64Pool(threads);
      try {
        const got = symmetricEigen(a, n).values;
        for (let k = 0; k < n; k++) assertAlmostEquals(got[k], plain[k], 1e-12, `n = ${n}, λ_${k}`);
        if (first) {
          assert(
            got.every((x, k) => x === first![k]),
            `n = ${n}: ${threads} threads' bits differ from 1's`,
          );
        }
        first ??= got;
      } finally {
        stopF64Pool();
      }
    }
  }
  // eigenvectors through the pooled reduction: residuals of a few pairs, and a closed form
  await startF64Pool(2);
  try {
    const n = 301;
    const a = randomSymmetric(n, 5);
    const { values, vectors } = symmetricEigen(a, n, true);
    for (const k of [0, 150, 300]) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors![k * n + j];
        assertAlmostEquals(av, values[k] * vectors![k * n + i], 1e-12, `(A v_${k})_${i}`);
      }
    }
    const m = 400; // tridiagonal Toeplitz 2, −1: λ_k = 2 − 2 cos(kπ/(m+1))
    const t = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      t[i * m + i] = 2;
      if (i + 1 < m) t[i * m + i + 1] = t[(i + 1) * m + i] = -1;
    }
    const vals = symmetricEigen(t, m).values;
    for (let k = 1; k <= m; k++) {
      assertAlmostEquals(vals[k - 1], 2 - 2 * Math.cos((k * Math.PI) / (m + 1)), 1e-13);
    }
  } finally {
    stopF64Pool();
  }
});
