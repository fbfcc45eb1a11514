/**
 * Issue #28's benchmark: the float64 kernel pool against NumPy/OpenBLAS on the same machine,
 * side by side in one run — GEMM at n = 1000 and 2000 on one thread and on every core (the
 * scaling), the NNGP at 5,000 training / 2,000 held-out digits (bench/numpy_nngp.py), and
 * one isometry draw at width 1000, depth 64 (bench/numpy_isometry.py), and the eigenvalues of
 * the 978-parameter net's Hessian (numpy's eigvalsh on the same matrix). NumPy runs with
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (STACK.md), and is skipped where absent.
 */
import { F64Pool, gemm, startF64Pool, stopF64Pool } from "../src/compute/f64/mod.ts";
import { choleskyPool } from "../src/compute/f64/cholesky.ts";
import { CORES } from "../src/runtime/threads.ts";
import { useBackend } from "../src/compute/backend.ts";
import { gpDigits } from "../src/gp/data.ts";
import { dotProducts } from "../src/gp/dots.ts";
import { deepKernels } from "../src/gp/kernel.ts";
import { fitKernel } from "../src/gp/fit.ts";
import { activation } from "../src/signal/activations.ts";
import { criticalPoint } from "../src/isometry/critical_point.ts";
import { sampleJacobianSpectra } from "../src/isometry/jacobian.ts";
import { Rng } from "../src/random/rng.ts";
import { TanhMlp } from "../src/landscape/mlp.ts";
import { makeTask } from "../src/landscape/tasks.ts";
import { adam } from "../src/landscape/sgd.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";

const secs = (t0: number) => (performance.now() - t0) / 1000;

/** Seconds NumPy reports for `code` (its last printed number), or null without numpy. */
async function numpy(args: string[]): Promise<number | null> {
  const env = Deno.env.toObject();
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  try {
    const out = await new Deno.Command("python3", { args, env, clearEnv: true, stderr: "null" })
      .output();
    const text = new TextDecoder().decode(out.stdout);
    const m = text.match(/([0-9.]+) s\s*$/);
    return out.success && m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

const side = (ours: number, theirs: number | null) =>
  theirs === null
    ? `${ours.toFixed(2)} s (numpy not available)`
    : `${ours.toFixed(2)} s against numpy ${theirs.toFixed(2)} s: ${(ours / theirs).toFixed(2)}×`;

// GEMM, one thread and every core
for (const n of [1000, 2000]) {
  const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const times: number[] = [];
  for (const threads of [1, CORES]) {
    const pool = await F64Pool.create(threads);
    gemm(pool, a, a, n, n, n); // warm
    const t0 = performance.now();
    gemm(pool, a, a, n, n, n);
    times.push(secs(t0));
    pool.close();
  }
  const np = await numpy([
    "-c",
    `import numpy as np, time\na = np.random.rand(${n}, ${n})\na @ a\nt = time.perf_counter(); a @ a; print(f"{time.perf_counter() - t:.4f} s")`,
  ]);
  const gf = (t: number) => (2 * n ** 3 / t / 1e9).toFixed(1);
  console.log(
    `dgemm ${n}: 1 thread ${gf(times[0])} GFLOP/s, ${CORES} threads ${gf(times[1])} GFLOP/s ` +
      `(×${(times[0] / times[1]).toFixed(2)}); numpy ${np ? gf(np) : "—"} GFLOP/s`,
  );
}

// Cholesky at 5,000, one thread and every core
{
  const n = 5000;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * n + j] = Math.exp(-Math.abs(i - j) / 50) + (i === j ? 0.1 : 0);
    }
  }
  const times: number[] = [];
  for (const threads of [1, CORES]) {
    const pool = await F64Pool.create(threads);
    const t0 = performance.now();
    choleskyPool(pool, a, n);
    times.push(secs(t0));
    pool.close();
  }
  const np = await numpy([
    "-c",
    `import numpy as np, time\nn=${n}\ni=np.arange(n)\na=np.exp(-abs(i[:,None]-i[None,:])/50)+0.1*np.eye(n)\nt=time.perf_counter(); np.linalg.cholesky(a); print(f"{time.perf_counter()-t:.4f} s")`,
  ]);
  console.log(
    `cholesky 5000: 1 thread ${times[0].toFixed(2)} s, ${CORES} threads ${side(times[1], np)} (×${
      (times[0] / times[1]).toFixed(2)
    } from threads)`,
  );
}

await startF64Pool(CORES);

// NNGP ReLU depth 3, 5,000 training / 2,000 held out
{
  const { tf } = await useBackend("wasm");
  const d = gpDigits(5000, 2000);
  const t0 = performance.now();
  const dots = dotProducts(tf, d.train.x, d.test.x);
  const t1 = performance.now();
  const k = deepKernels(
    { activation: "relu", sigma_w2: 1.6, sigma_b2: 0.1, depth: 3 },
    dots,
    5000,
    false,
  );
  const t2 = performance.now();
  const fit = fitKernel(k.nngp, 5000, 5000, 2000, d.train.y, d.test.y, 1e-8);
  const t3 = performance.now();
  const total = secs(t0);
  const np = await numpy(["bench/numpy_nngp.py"]);
  console.log(
    `nngp ReLU depth 3, 5,000 / 2,000: ${side(total, np)} (dot products ${
      ((t1 - t0) / 1000).toFixed(1)
    } s, kernel ${((t2 - t1) / 1000).toFixed(1)} s, Cholesky and solve ${
      ((t3 - t2) / 1000).toFixed(1)
    } s; accuracy ${fit.accuracy.toFixed(4)}); target ≤ 1.5×`,
  );
}

// isometry: one orthogonal-tanh Jacobian draw, width 1000, depth 64
{
  const act = activation("tanh");
  const p = criticalPoint(act, 1 / 64);
  const t0 = performance.now();
  sampleJacobianSpectra(act, p, "orthogonal", 1000, [64], new Rng(1), () => {});
  const ours = secs(t0);
  const np = await numpy(["bench/numpy_isometry.py"]);
  console.log(`isometry draw, width 1000, depth 64: ${side(ours, np)}; target ≤ 3×`);
}
// the exact Hessian spectrum of landscape_bench.ts's 978-parameter net, beside numpy's eigvalsh
// on the same matrix (written to a temporary file)
{
  const rng = new Rng(1);
  const task = makeTask(
    "mnist",
    { samples: 100, pixels: 10, inputs: 0, outputs: 0, hidden: [] },
    rng,
  );
  const net = new TanhMlp(
    [task.inputs, Math.round(990 / (task.inputs + 11)), 10],
    task.x,
    task.y,
    task.m,
  );
  const h = net.hessian(adam(net, net.init(rng, 1), 100, 0.01));
  symmetricEigen(h, net.n); // warm
  const times = [0, 1, 2].map(() => {
    const t0 = performance.now();
    symmetricEigen(h, net.n);
    return secs(t0);
  }).sort((x, y) => x - y);
  const file = await Deno.makeTempFile({ suffix: ".f64" });
  await Deno.writeFile(file, new Uint8Array(h.buffer, h.byteOffset, h.byteLength));
  const np = await numpy([
    "-c",
    `import numpy as np, time\nn=${net.n}\nh=np.fromfile("${file}").reshape(n, n)\nnp.linalg.eigvalsh(h)\nts=[]\nfor _ in range(3):\n  t=time.perf_counter(); np.linalg.eigvalsh(h); ts.append(time.perf_counter()-t)\nprint(f"{sorted(ts)[1]:.4f} s")`,
  ]);
  await Deno.remove(file);
  console.log(
    `eigenvalues of the ${net.n}-parameter Hessian (median of 3): ${
      side(times[1], np)
    }; target ≤ 3×`,
  );
}

// the pool's helpers would keep `deno run` alive
stopF64Pool();
