/**
 * Issue #18's benchmark: one sampled Jacobian spectrum at width 1000, depth 64 (float64
 * TypeScript: 64 products of 1000 × 1000 matrices, then the eigenvalues of JJᵀ), and the
 * free-probability density at one depth (120 points, as the pipeline draws it).
 */
import { activation } from "../src/signal/activations.ts";
import { criticalPoint } from "../src/isometry/critical_point.ts";
import { sampleJacobianSpectra } from "../src/isometry/jacobian.ts";
import { jacobianDensity } from "../src/isometry/free_density.ts";
import { Rng } from "../src/random/rng.ts";

const act = activation("tanh");
const p = criticalPoint(act, 1 / 64);
{
  const t0 = performance.now();
  let products = 0;
  sampleJacobianSpectra(act, p, "orthogonal", 1000, [64], new Rng(1), () => {
    products = performance.now() - t0;
  });
  console.log(
    `isometry: one Jacobian draw at width 1000, depth 64 (orthogonal tanh, q* = 1/64): ${
      (products / 1000).toFixed(1)
    } s, eigenvalues of JJᵀ included`,
  );
}
for (const [weights, depth] of [["orthogonal", 64], ["gaussian", 64]] as const) {
  const grid = Array.from({ length: 120 }, (_, i) => 1e-6 * (1e8) ** (i / 119));
  const t0 = performance.now();
  jacobianDensity(act, p, weights, depth, grid, { epsilon: 0.02 });
  console.log(
    `isometry: the free-probability density, ${weights}, depth ${depth}, 120 points: ${
      (performance.now() - t0).toFixed(0)
    } ms`,
  );
}
