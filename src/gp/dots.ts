/**
 * The inputs' dot products x·x'/784, training against training and test against training,
 * as one matrix product: float64 on the kernel pool when one is started (every core), else
 * float32 on the run's tfjs backend (the rest of the GP is float64: the products are O(1)
 * numbers, and float32's 1e-7 is far below the kernels' jitter).
 *
 * @module
 */
import type { Tf } from "../compute/backend.ts";
import { f64Pool, gemm } from "../compute/f64/mod.ts";

export function dotProducts(
  tf: Tf,
  train: readonly Float32Array[],
  test: readonly Float32Array[],
): { train: Float64Array; cross: Float64Array } {
  const d = 784;
  const flat = (rows: readonly Float32Array[]) => {
    const out = new Float32Array(rows.length * d);
    rows.forEach((r, i) => out.set(r, i * d));
    return out;
  };
  // Xᵀ laid out by hand: tfjs-wasm's matMul with transposeB is ≈ 30× slower here
  // (7.3 s against 0.22 s for 3,000 × 784 · 784 × 1,000)
  const n = train.length;
  const pool = f64Pool();
  if (pool) {
    const all = Float64Array.from(flat([...train, ...test]));
    const prod = gemm(pool, all, all, n + test.length, d, n, { transB: true, alpha: 1 / d });
    return { train: prod.slice(0, n * n), cross: prod.slice(n * n) };
  }
  const xT = new Float32Array(d * n);
  train.forEach((r, i) => {
    for (let k = 0; k < d; k++) xT[k * n + i] = r[k];
  });
  const [a, b] = tf.tidy(() => {
    const all = tf.tensor2d(flat([...train, ...test]), [n + test.length, d]);
    const prod = tf.div(tf.matMul(all, tf.tensor2d(xT, [d, n])), d);
    return [
      prod.slice([0, 0], [train.length, train.length]),
      prod.slice([train.length, 0], [test.length, train.length]),
    ];
  });
  const out = { train: Float64Array.from(a.dataSync()), cross: Float64Array.from(b.dataSync()) };
  tf.dispose([a, b]);
  return out;
}
