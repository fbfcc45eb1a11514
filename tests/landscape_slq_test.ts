import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { binnedDensity, fractionBelow, slq } from "../src/landscape/slq.ts";
import { findCriticalPoint } from "../src/landscape/critical.ts";
import { type Objective, quadratic2 } from "../src/landscape/objective.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";
import { Rng } from "../src/random/rng.ts";
import { smallTanhNet } from "./helpers/tanh_net.ts";
import { randomOrthogonal } from "../src/linear/init.ts";

/** A fixed symmetric matrix as an objective: only hvp is used by SLQ. */
function matrixObjective(a: Float64Array, n: number): Objective {
  const hvp = (_t: Float64Array, v: Float64Array) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      out[i] = s;
    }
    return out;
  };
  return {
    n,
    loss: () => 0,
    gradient: () => new Float64Array(n),
    hessian: () => a,
    hvp,
  };
}

/** Wishart (n × 2n Gaussian, divided by 2n) minus a shift plus a GOE part: a spectrum with both signs. */
function mixedSpectrum(n: number, rng: Rng): Float64Array {
  const p = 2 * n;
  const x = new Float64Array(n * p);
  rng.fillNormal(x);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += x[i * p + k] * x[j * p + k];
      const goe = rng.normal() * (i === j ? Math.SQRT2 : 1) / Math.sqrt(n);
      a[i * n + j] = a[j * n + i] = s / p + 0.5 * goe - (i === j ? 0.6 : 0);
    }
  }
  return a;
}

Deno.test("SLQ: one probe's nodes and weights are a Gauss rule, exact for moments up to 2k − 1", () => {
  const n = 60;
  const k = 8;
  const a = mixedSpectrum(n, new Rng(3));
  const obj = matrixObjective(a, n);
  const q = slq(obj, new Float64Array(n), { steps: k, probes: 1, rng: new Rng(11) });
  assertEquals(q.nodes.length, k);
  // the same probe, drawn from the same seed, normalised; powers u_i = Aⁱ v give the
  // moments directly: vᵀ Aᵖ v = u_⌊p/2⌋ · u_⌈p/2⌉
  const v = new Float64Array(n);
  new Rng(11).fillNormal(v);
  const vn = Math.hypot(...v);
  const powers: Float64Array[] = [v.map((x) => x / vn)];
  for (let i = 1; i <= k; i++) powers.push(obj.hvp(v, powers[i - 1]));
  const dot = (x: Float64Array, y: Float64Array) => x.reduce((s, xi, i) => s + xi * y[i], 0);
  const rule = (p: number) => q.nodes.reduce((s, node, j) => s + q.weights[j] * node ** p, 0);
  for (let p = 0; p < 2 * k; p++) {
    const direct = dot(powers[Math.floor(p / 2)], powers[Math.ceil(p / 2)]);
    // relative 1e-9: Lanczos with full re-orthogonalisation loses a few digits over 2k−1 powers
    assertAlmostEquals(rule(p), direct, 1e-9 * Math.max(1, Math.abs(direct)), `moment ${p}`);
  }
  // degree 2k is beyond the rule: it must not be exact (else the check above could not fail)
  const m2k = dot(powers[k], powers[k]);
  assert(Math.abs(rule(2 * k) - m2k) > 1e-6 * m2k, "degree 2k is not integrated exactly");
});

Deno.test("SLQ: index and histogram of a mixed-sign spectrum match the exact eigenvalues", () => {
  const n = 400;
  const a = mixedSpectrum(n, new Rng(8));
  const exact = symmetricEigen(a.slice(), n).values;
  const alpha = exact.filter((v) => v < 0).length / n;
  assert(alpha > 0.2 && alpha < 0.8, `a mixed spectrum (α = ${alpha})`);
  const q = slq(matrixObjective(a, n), new Float64Array(n), {
    steps: 60,
    probes: 20,
    rng: new Rng(2),
  });
  // Hutchinson's error for the fraction below 0 with unit probes is ≈ √(2α(1−α)/(n·probes))
  // ≈ 0.008 here; the 60-node rule blurs the step at 0 by about width/60 ≈ 1% of the
  // density's mass. 0.03 is about three of those together.
  assertAlmostEquals(fractionBelow(q), alpha, 0.03);
  // binned over 10 equal bins: expected counts sum to n, and each bin is near the exact count
  const lo = exact[0];
  const hi = exact[n - 1];
  const edges = Array.from({ length: 11 }, (_, i) => lo + ((hi - lo) * i) / 10);
  const counts = binnedDensity(q, n, edges, 0);
  assertAlmostEquals(counts.reduce((s, c) => s + c, 0), n, 1e-9);
  const truth = new Array(10).fill(0);
  for (const v of exact) truth[Math.min(9, Math.floor(((v - lo) / (hi - lo)) * 10))]++;
  let l1 = 0;
  for (let b = 0; b < 10; b++) l1 += Math.abs(counts[b] - truth[b]);
  // the same two errors per bin, over ten bins (the binned comb, unsmoothed): ≤ 15% of n
  assert(l1 / n < 0.15, `L1 distance ${l1 / n}`);
});

Deno.test("Krylov search with k = n steps as the dense search does; with k ≪ n it still finds a saddle", async () => {
  const saddle = await findCriticalPoint(quadratic2(5, -1), Float64Array.of(1, 0.5), {
    tol: 1e-12,
    maxIterations: 50,
    krylov: 2,
  });
  assertEquals(saddle.status, "converged");
  assertAlmostEquals(saddle.theta[0], 0, 1e-12);
  assertAlmostEquals(saddle.theta[1], 0, 1e-12);

  const rng = new Rng(5);
  const net = smallTanhNet(rng);
  for (let t = 0; t < 4; t++) {
    const start = net.init(rng, 1);
    // the first iterations: the same LM system solved two ways (Cholesky of H² + μI, and
    // the filter λ/(λ² + μ) on a complete Krylov basis) gives the same steps; 1e-9 allows
    // rounding amplified by 1/λ_min over three steps, far below a wrong step's size
    for (const iterations of [1, 3]) {
      const opts = { tol: 0, maxIterations: iterations };
      const dense = await findCriticalPoint(net, start, opts);
      const krylov = await findCriticalPoint(net, start, { ...opts, krylov: net.n });
      for (let i = 0; i < net.n; i++) {
        assertAlmostEquals(krylov.theta[i], dense.theta[i], 1e-9, `parameter ${i}`);
      }
      assert(Math.abs(dense.theta[0] - start[0]) > 1e-6, "the search moved");
    }
  }
  // k ≪ n: on a quadratic ½θᵀAθ whose only critical point is a saddle at 0 (eigenvalues
  // uniform on [−1, −0.2] ∪ [0.2, 2], random eigenvectors) each iteration is a fresh
  // 10-dimensional Krylov space, and convergence is linear at a rate set by the condition
  // number (10 here; docs/pipelines/loss-landscape.md: ill-conditioned saddles need k nearer κ); 100 iterations suffice
  const n = 60;
  const q = randomOrthogonal(n, n, new Rng(4));
  const lambda = Array.from(
    { length: n },
    (_, i) => i < n / 3 ? -1 + 0.8 * (3 * i / n) : 0.2 + 1.8 * ((i - n / 3) / (2 * n / 3)),
  );
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let l = 0; l < n; l++) s += q[i * n + l] * lambda[l] * q[j * n + l];
      a[i * n + j] = s;
    }
  }
  const quad = matrixObjective(a, n);
  const half: Objective = {
    ...quad,
    loss: (t) => 0.5 * t.reduce((s, ti, i) => s + ti * quad.hvp(t, t)[i], 0),
    gradient: (t) => quad.hvp(t, t),
  };
  const start = new Float64Array(n);
  rng.fillNormal(start);
  const r = await findCriticalPoint(half, start, { tol: 1e-8, maxIterations: 100, krylov: 10 });
  assertEquals(r.status, "converged");
  // ‖θ‖ ≤ ‖g‖ / min|λ| = 1e-8 / 0.2
  assert(Math.hypot(...r.theta) < 5e-8, `‖θ‖ = ${Math.hypot(...r.theta)}`);
});
