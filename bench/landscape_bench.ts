/**
 * Loss-landscape numerics (issue #4): the exact Hessian and full spectrum of a
 * ~1,000-parameter tanh network (target: under 2 s on a 2-core CPU), each part
 * alone, and the time of one critical-point search at the pipeline's defaults.
 * The same Hessian is written to bench/hessian.f64 (if --write) for
 * numpy's eigvalsh in bench/numpy_baselines.py. Then SLQ and the Krylov search, for
 * nets past the dense limit.
 */
import { TanhMlp } from "../src/landscape/mlp.ts";
import { makeTask } from "../src/landscape/tasks.ts";
import { findCriticalPoint } from "../src/landscape/critical.ts";
import { adam } from "../src/landscape/sgd.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";
import { extremes, fractionBelow, slq } from "../src/landscape/slq.ts";
import { Rng } from "../src/random/rng.ts";

// Dauphin et al.'s shape: MNIST 10 × 10 (blank pixels dropped), 10 outputs, and as many tanh
// units as bring the count to about 1,000 parameters.
const rng = new Rng(1);
const big = makeTask("mnist", { samples: 100, pixels: 10, inputs: 0, outputs: 0, hidden: [] }, rng);
const hidden = Math.round(990 / (big.inputs + 11));
const net = new TanhMlp([big.inputs, hidden, 10], big.x, big.y, big.m);
const theta = adam(net, net.init(rng, 1), 100, 0.01);
const h = net.hessian(theta);
if (Deno.args.includes("--write")) {
  await Deno.writeFile("bench/hessian.f64", new Uint8Array(h.buffer));
  console.log(`wrote bench/hessian.f64 (n = ${net.n})`);
}

Deno.bench({
  name:
    `exact Hessian + full spectrum, ${net.n} parameters (MNIST ${big.inputs} px, ${hidden} tanh, m = 100)`,
  n: 5,
  warmup: 1,
  fn: () => void symmetricEigen(net.hessian(theta), net.n),
});
Deno.bench({
  name: `exact Hessian alone, ${net.n} parameters`,
  n: 5,
  warmup: 1,
  fn: () => void net.hessian(theta),
});
Deno.bench({
  name: `eigenvalues alone (Householder + QL), n = ${net.n}`,
  n: 5,
  warmup: 1,
  fn: () => void symmetricEigen(h, net.n),
});

// One search at the pipeline's defaults (MNIST 6 × 6, 5 tanh, m = 60): critical points per minute.
const small = makeTask("mnist", { samples: 60, pixels: 6, inputs: 0, outputs: 0, hidden: [] }, rng);
const net2 = new TanhMlp([small.inputs, 5, 10], small.x, small.y, small.m);
const starts = Array.from({ length: 6 }, () => adam(net2, net2.init(rng, 1), 30, 0.01));
let k = 0;
Deno.bench({
  name: `critical-point search, defaults (${net2.n} parameters, ≤ 60 iterations, ‖∇‖ < 1e-5)`,
  n: 6,
  warmup: 0,
  fn: async () =>
    void await findCriticalPoint(net2, starts[k++ % starts.length], {
      tol: 1e-5,
      maxIterations: 60,
    }),
});

// Beyond the dense limit (hessian krylov): SLQ at Ghorbani et al.'s 90 Lanczos steps, 5 probes,
// on the ~1,000-parameter net above (beside its exact spectrum) and on full 28 × 28 MNIST
// with 13 tanh units (~10,000 parameters; a dense Hessian would be 0.8 GB).
const slqOpts = { steps: 90, probes: 5, rng: new Rng(3) };
{
  const exact = symmetricEigen(h.slice(), net.n).values;
  const q = slq(net, theta, slqOpts);
  const { min, max } = extremes(q);
  console.log(
    `n = ${net.n}: exact α ${(exact.filter((v) => v < 0).length / net.n).toFixed(3)}, ` +
      `SLQ α ${fractionBelow(q).toFixed(3)} (between ${
        fractionBelow(q, -(max - min) / 90).toFixed(3)
      } ` +
      `and ${fractionBelow(q, (max - min) / 90).toFixed(3)}); λ range exact ` +
      `[${exact[0].toExponential(2)}, ${exact[net.n - 1].toExponential(2)}], SLQ [${
        min.toExponential(2)
      }, ${max.toExponential(2)}]`,
  );
}
Deno.bench({
  name: `SLQ spectrum (90 steps × 5 probes), ${net.n} parameters`,
  n: 5,
  warmup: 1,
  fn: () => void slq(net, theta, slqOpts),
});
const full = makeTask(
  "mnist",
  { samples: 100, pixels: 28, inputs: 0, outputs: 0, hidden: [] },
  rng,
);
const net3 = new TanhMlp([full.inputs, 13, 10], full.x, full.y, full.m);
const theta3 = adam(net3, net3.init(rng, 1), 30, 0.01);
Deno.bench({
  name:
    `SLQ spectrum (90 steps × 5 probes), ${net3.n} parameters (MNIST ${full.inputs} px, 13 tanh)`,
  n: 3,
  warmup: 1,
  fn: () => void slq(net3, theta3, slqOpts),
});
Deno.bench({
  name: `Krylov search iteration (k = 40), ${net3.n} parameters`,
  n: 5,
  warmup: 1,
  fn: async () =>
    void await findCriticalPoint(net3, theta3, { tol: 0, maxIterations: 1, krylov: 40 }),
});
