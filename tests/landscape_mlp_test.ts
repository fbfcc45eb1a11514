import { assert, assertAlmostEquals } from "./assert.ts";
import { TanhMlp } from "../src/landscape/mlp.ts";
import { Rng } from "../src/random/rng.ts";

// the deeper net also carries a weight decay, so its κθ and κI terms are checked too
const decayOf = (sizes: number[]) => (sizes.length > 3 ? 0.01 : 0);

function net(sizes: number[], m: number, seed: number): { net: TanhMlp; theta: Float64Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(m * sizes[0]);
  const y = new Float64Array(m * sizes[sizes.length - 1]);
  rng.fillNormal(x);
  rng.fillNormal(y);
  const mlp = new TanhMlp(sizes, x, y, m, decayOf(sizes));
  const theta = mlp.init(rng, 1.5); // past the linear regime, so tanh'' matters
  for (let i = 0; i < theta.length; i++) theta[i] += 0.1 * rng.normal(); // biases too
  return { net: mlp, theta };
}

// Central differences have error O(h²·f''') + O(ε·f/h); h = 1e-5 on O(1) quantities
// leaves ~1e-10 truncation and ~1e-11 rounding, so 1e-7 relative to the scale is safe
// and still 1e4× smaller than any real mistake (a missing term is O(1e-2) here).
const H = 1e-5;

for (const sizes of [[3, 4, 2], [4, 5, 3, 2]]) {
  const label = sizes.join("-");
  Deno.test(`tanh mlp ${label}: gradient matches central differences of the loss`, () => {
    const { net: mlp, theta } = net(sizes, 7, 1);
    const { loss, grad } = mlp.evaluate(theta);
    assertAlmostEquals(loss, mlp.loss(theta), 1e-15);
    const scale = Math.max(...grad.map(Math.abs));
    for (let j = 0; j < mlp.n; j++) {
      const p = theta.slice();
      const q = theta.slice();
      p[j] += H;
      q[j] -= H;
      const fd = (mlp.loss(p) - mlp.loss(q)) / (2 * H);
      assertAlmostEquals(grad[j], fd, 1e-7 * scale, `∂ε/∂θ_${j}`);
    }
  });

  Deno.test(`tanh mlp ${label}: exact Hessian matches differences of the gradient, H v by R-op`, () => {
    const { net: mlp, theta } = net(sizes, 7, 2);
    const n = mlp.n;
    const h = mlp.hessian(theta);
    const scale = Math.max(...h.map(Math.abs));
    for (let j = 0; j < n; j++) {
      const p = theta.slice();
      const q = theta.slice();
      p[j] += H;
      q[j] -= H;
      const gp = mlp.gradient(p);
      const gq = mlp.gradient(q);
      for (let i = 0; i < n; i++) {
        assertAlmostEquals(h[i * n + j], (gp[i] - gq[i]) / (2 * H), 1e-7 * scale, `H[${i}][${j}]`);
      }
    }
    // a dense direction through the general R-op path = H v
    const rng = new Rng(3);
    const v = new Float64Array(n);
    rng.fillNormal(v);
    const hv = mlp.hvp(theta, v); // same sums in another order: rounding ≲ n ulps of the scale
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += h[i * n + j] * v[j];
      assertAlmostEquals(hv[i], s, 1e-12 * scale * n, `(Hv)_${i}`);
    }
  });
}

Deno.test("tanh mlp: parameter layout (locate) and zero net's loss", () => {
  const mlp = new TanhMlp([2, 3, 1], new Float64Array(4), Float64Array.of(1, -1), 2);
  assert(mlp.n === 2 * 3 + 3 + 3 * 1 + 1);
  assert(JSON.stringify(mlp.locate(0)) === JSON.stringify({ layer: 1, r: 0, s: 0 }));
  assert(JSON.stringify(mlp.locate(5)) === JSON.stringify({ layer: 1, r: 2, s: 1 }));
  assert(JSON.stringify(mlp.locate(6)) === JSON.stringify({ layer: 1, r: 0, s: -1 }));
  assert(JSON.stringify(mlp.locate(12)) === JSON.stringify({ layer: 2, r: 0, s: -1 }));
  // ε = (1/(2mk)) Σ y² = ½ for unit targets
  assertAlmostEquals(mlp.loss(new Float64Array(mlp.n)), 0.5, 0);
});
