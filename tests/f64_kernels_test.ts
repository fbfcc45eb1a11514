/**
 * The float64 kernel pool (src/compute/f64): the product and the blocked Cholesky against the
 * plain loops they replace, at odd sizes (1, 7, 301, 1001: every padding case of the 4 × 4
 * tiles, one and several row blocks and k-blocks) and across 1, 2 and 3 threads.
 *
 * Tolerances. Across thread counts: 0 — a task owns whole rows of C and sums k in the same
 * order whoever runs it, so the bits cannot depend on the split. Against the plain loops:
 * the product sums in the same order too (GEMM_RTOL only guards the scaling's placement);
 * Cholesky's blocked order differs, so CHOL_RTOL is n·ε·cond-sized for these well-conditioned
 * matrices (diagonal ≥ 1, off-diagonal O(1/√n)).
 */
import { assert, assertEquals } from "./assert.ts";
import { choleskyPool, F64Pool, gemm } from "../src/compute/f64/mod.ts";
import { choleskyPlain } from "../src/numerics/cholesky.ts";
import { Rng } from "../src/random/rng.ts";

const SIZES = [1, 7, 301, 1001];
const THREADS = [1, 2, 3];
const GEMM_RTOL = 1e-14;
const CHOL_RTOL = 1e-11;

function plainProduct(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  transB: boolean,
) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[i * k + p];
      for (let j = 0; j < n; j++) c[i * n + j] += x * (transB ? b[j * k + p] : b[p * n + j]);
    }
  }
  return c;
}

function normals(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** D + G Gᵀ/RANK, D in [1, 2], G n × RANK normal: positive definite, condition number O(1). */
const RANK = 20;
function spd(n: number, rng: Rng): Float64Array {
  const g = normals(n * RANK, rng);
  const a = plainProduct(g, g, n, RANK, n, true);
  for (let i = 0; i < n * n; i++) a[i] /= RANK;
  for (let i = 0; i < n; i++) a[i * n + i] += 1 + rng.uniform();
  return a;
}

/** Entries (i, j) of the product to check: all of them up to 301², else 500 at random. */
function entries(m: number, n: number, rng: Rng): [number, number][] {
  if (m * n <= 301 * 301) {
    return Array.from({ length: m * n }, (_, t) => [Math.floor(t / n), t % n]);
  }
  return Array.from(
    { length: 500 },
    () => [Math.floor(rng.uniform() * m), Math.floor(rng.uniform() * n)],
  );
}

const maxRelError = (x: Float64Array, ref: Float64Array) => {
  let scale = 0, err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    err = Math.max(err, Math.abs(x[i] - ref[i]));
  }
  return scale === 0 ? err : err / scale;
};

/** Pools of 1, 2, 3 threads on shared memory, and the browser's solo pool on plain memory. */
async function withPools(body: (pools: F64Pool[]) => void) {
  const pools = await Promise.all([...THREADS.map((t) => F64Pool.create(t)), F64Pool.solo()]);
  try {
    body(pools);
  } finally {
    for (const p of pools) p.close();
  }
}

Deno.test("gemm() equals the plain product at odd sizes, A·B and A·Bᵀ, bit for bit across 1, 2, 3 threads and solo", async () => {
  const rng = new Rng(3);
  await withPools((pools) => {
    for (const n of SIZES) {
      // m, k, n all different where possible, so a swapped dimension cannot pass
      const [m, k] = [n, n === 1 ? 1 : n + 2];
      for (const transB of [false, true]) {
        const a = normals(m * k, rng), b = normals(k * n, rng);
        const got = pools.map((p) => gemm(p, a, b, m, k, n, { transB }));
        for (const g of got.slice(1)) assertEquals(g, got[0]);
        // each checked entry as its own dot product, summed in k order
        for (const [i, j] of entries(m, n, rng)) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[i * k + p] * (transB ? b[j * k + p] : b[p * n + j]);
          const e = Math.abs(got[0][i * n + j] - s);
          assert(
            e <= GEMM_RTOL * Math.sqrt(k),
            `${m}×${k}·${k}×${n} transB=${transB} (${i}, ${j}): ${e}`,
          );
        }
      }
    }
  });
});

Deno.test("gemm() splits a short, wide product by columns too, with the same bits on 1, 2, 3 threads and solo", async () => {
  const rng = new Rng(6);
  await withPools((pools) => {
    // 5 rows: one row block, so the threads share it by chunks of its 251 panels
    const [m, k, n] = [5, 300, 1001];
    const a = normals(m * k, rng), b = normals(k * n, rng);
    const got = pools.map((p) => gemm(p, a, b, m, k, n));
    for (const g of got.slice(1)) assertEquals(g, got[0]);
    for (const [i, j] of [[0, 0], [4, 1000], [2, 517], [3, 63], [1, 64]]) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      assert(Math.abs(got[0][i * n + j] - s) <= GEMM_RTOL * Math.sqrt(k), `(${i}, ${j})`);
    }
  });
});

Deno.test("gemm() back to back: 2,000 small jobs on 3 threads, no task lost or taken twice", async () => {
  // helpers still finishing one job while the next opens is where a task could run twice (C
  // would get a block added twice) or be lost (the call would hang): every job is checked
  const rng = new Rng(7);
  await withPools((pools) => {
    const pool = pools[2];
    const [m, k, n] = [130, 8, 70]; // 3 row blocks
    const a = normals(m * k, rng), b = normals(k * n, rng);
    const ref = gemm(pools[0], a, b, m, k, n);
    for (let i = 0; i < 2000; i++) assertEquals(gemm(pool, a, b, m, k, n), ref, `job ${i}`);
  });
});

Deno.test("gemm() scales by α and adds C (β = 1)", async () => {
  const rng = new Rng(4);
  await withPools(([pool]) => {
    const [m, k, n] = [9, 13, 6];
    const a = normals(m * k, rng), b = normals(k * n, rng), c = normals(m * n, rng);
    const got = gemm(pool, a, b, m, k, n, { alpha: -0.5, c });
    const ref = plainProduct(a, b, m, k, n, false).map((x, i) => c[i] - 0.5 * x);
    assert(maxRelError(got, ref) <= GEMM_RTOL);
  });
});

Deno.test("choleskyPool() matches choleskyPlain() at odd sizes and L·Lᵀ = A, bit for bit across 1, 2, 3 threads and solo", async () => {
  const rng = new Rng(5);
  await withPools((pools) => {
    for (const n of SIZES) {
      const a = spd(n, rng);
      const ref = choleskyPlain(a, n);
      const got = pools.map((p) => choleskyPool(p, a, n));
      assert(maxRelError(got[0], ref) <= CHOL_RTOL, `n = ${n}: ${maxRelError(got[0], ref)}`);
      for (const g of got.slice(1)) assertEquals(g, got[0]);
      // upper triangle exactly zero, and the factor reproduces A
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) assertEquals(got[0][i * n + j], 0);
      }
      const llt = plainProduct(got[0], got[0], n, n, n, true);
      assert(maxRelError(llt, a) <= CHOL_RTOL, `n = ${n}: L·Lᵀ`);
    }
  });
});

Deno.test("choleskyPool() refuses a matrix that is not positive definite, naming the pivot", async () => {
  await withPools(([pool]) => {
    const n = 200;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) a[i * n + i] = i === 150 ? -1 : 1;
    try {
      choleskyPool(pool, a, n);
      throw new Error("accepted");
    } catch (e) {
      assert(e instanceof RangeError && e.message.includes("pivot 150"), String(e));
    }
  });
});

Deno.test("F64Pool.create() refuses 0 or more than 256 threads", async () => {
  for (const t of [0, 257]) {
    const err = await F64Pool.create(t).then(() => null, (e) => e);
    assert(String(err).includes("threads must be an integer in [1, 256]"), String(err));
  }
});

Deno.test("matmul() gives the same bits with the pool started as with its plain loop", async () => {
  const { matmul } = await import("../src/numerics/matmul.ts");
  const { f64Pool, startF64Pool, stopF64Pool } = await import("../src/compute/f64/mod.ts");
  const rng = new Rng(8);
  const [m, k, n] = [67, 130, 71]; // past the pool's threshold of 64³ multiply-adds
  const a = normals(m * k, rng), b = normals(k * n, rng), c = normals(m * n, rng);
  const opts = { transB: true, alpha: -0.7, c };
  const before = f64Pool() === null ? matmul(a, b, m, k, n, opts) : null;
  const pool = await startF64Pool(2);
  try {
    if (before) assertEquals(matmul(a, b, m, k, n, opts), before);
    assertEquals(matmul(a, b, m, k, n, opts), gemm(pool, a, b, m, k, n, opts));
  } finally {
    stopF64Pool();
  }
});

Deno.test("deepKernels() on the pool gives the same bits as on one thread (tanh lattice, ReLU, erf; NNGP and NTK)", async () => {
  const { deepKernels } = await import("../src/gp/kernel.ts");
  const { startF64Pool, stopF64Pool } = await import("../src/compute/f64/mod.ts");
  const rng = new Rng(9);
  // 300 training and 100 test inputs' dot products: 120,000 entries, past the pool's threshold
  const [n, m] = [300, 100];
  const x = normals((n + m) * 16, rng);
  for (let i = 0; i < n + m; i++) {
    let s = 0;
    for (let j = 0; j < 16; j++) s += x[i * 16 + j] ** 2;
    for (let j = 0; j < 16; j++) x[i * 16 + j] /= Math.sqrt(s / 16); // |x|²/d = 1
  }
  const all = plainProduct(x, x, n + m, 16, n, true).map((v) => v / 16);
  const dots = () => ({ train: all.slice(0, n * n), cross: all.slice(n * n) });
  const specs = (["tanh", "relu", "erf"] as const).map((activation) => ({
    activation,
    sigma_w2: 1.8,
    sigma_b2: 0.1,
    depth: 4,
  }));
  const plain = specs.map((s) => deepKernels(s, dots(), n));
  await startF64Pool(3);
  try {
    specs.forEach((s, i) => {
      const pooled = deepKernels(s, dots(), n);
      assertEquals(pooled.nngp.train, plain[i].nngp.train, s.activation);
      assertEquals(pooled.nngp.cross, plain[i].nngp.cross, s.activation);
      assertEquals(pooled.ntk!.train, plain[i].ntk!.train, s.activation);
      assertEquals(pooled.layers, plain[i].layers, s.activation);
    });
  } finally {
    stopF64Pool();
  }
});

Deno.test("solveLowerRows() solves X Lᵀ = C as row-by-row forward substitution does, at odd sizes, bit for bit across 1, 2, 3 threads and solo", async () => {
  const { solveLowerRows } = await import("../src/compute/f64/mod.ts");
  const rng = new Rng(10);
  await withPools((pools) => {
    for (const n of SIZES) {
      const l = choleskyPlain(spd(n, rng), n);
      const count = n === 1 ? 1 : 13;
      const c = normals(count * n, rng);
      const got = pools.map((p) => solveLowerRows(p, l, n, c, count));
      for (const g of got.slice(1)) assertEquals(g, got[0]);
      // the plain substitution, one right-hand side at a time
      const ref = new Float64Array(count * n);
      for (let t = 0; t < count; t++) {
        for (let i = 0; i < n; i++) {
          let s = c[t * n + i];
          for (let k = 0; k < i; k++) s -= l[i * n + k] * ref[t * n + k];
          ref[t * n + i] = s / l[i * n + i];
        }
      }
      assert(maxRelError(got[0], ref) <= CHOL_RTOL, `n = ${n}: ${maxRelError(got[0], ref)}`);
    }
  });
});
