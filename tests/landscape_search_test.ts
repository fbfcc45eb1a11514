import { assert, assertAlmostEquals } from "./assert.ts";
import { quadratic2 } from "../src/landscape/objective.ts";
import { findCriticalPoint } from "../src/landscape/critical.ts";
import { krylovStep, lanczos, newtonStep } from "../src/landscape/newton.ts";
import { symmetricEigen } from "../src/numerics/symmetric_eigen.ts";
import { TanhMlp } from "../src/landscape/mlp.ts";
import { Rng } from "../src/random/rng.ts";
import { smallTanhNet } from "./helpers/tanh_net.ts";

const saddle = quadratic2(5, -1); // f(x, y) = 5x² − y²

// On a quadratic Newton-type steps are exact: what remains is rounding of O(1) numbers,
// so 1e-12 (search) and 1e-14 (one step) are a few ulps with room, not fitted.
Deno.test("5x² − y²: the search lands on the saddle, whose index is exactly ½", async () => {
  const r = await findCriticalPoint(saddle, Float64Array.of(1, 0.5), {
    tol: 1e-12,
    maxIterations: 50,
  });
  assert(r.status === "converged", r.status);
  assertAlmostEquals(r.theta[0], 0, 1e-12);
  assertAlmostEquals(r.theta[1], 0, 1e-12);
  const { values } = symmetricEigen(saddle.hessian(r.theta), 2);
  assertAlmostEquals(values.filter((v) => v < 0).length / values.length, 0.5, 0);
});

Deno.test("5x² − y²: Newton jumps onto the saddle, saddle-free Newton leaves it", () => {
  const start = Float64Array.of(1, 0.5);
  const g = saddle.gradient(start);
  const kry = lanczos(saddle, start, g, 2); // k = n: the exact step
  const newton = krylovStep(kry, g, "newton", 0)!;
  assertAlmostEquals(start[0] + newton[0], 0, 1e-14);
  assertAlmostEquals(start[1] + newton[1], 0, 1e-14);
  // −|H|⁻¹g = (−x, +y): x is solved, y doubles, away from the saddle
  const free = krylovStep(kry, g, "saddle-free", 0)!;
  assertAlmostEquals(start[0] + free[0], 0, 1e-14);
  assertAlmostEquals(start[1] + free[1], 1, 1e-14);
  // the damped steps with the lowest loss keep doing so
  let theta: Float64Array = start;
  for (let i = 0; i < 4; i++) theta = newtonStep(saddle, theta, "saddle-free", 2).theta;
  assert(Math.abs(theta[1]) > 4, `|y| = ${theta[1]}`);
  assert(saddle.loss(theta) < -10);
});

Deno.test("tanh net: the search converges to a critical point with ‖∇ε‖ below tolerance", async () => {
  const rng = new Rng(5);
  const net = smallTanhNet(rng);
  let converged = 0;
  for (let t = 0; t < 4; t++) {
    const r = await findCriticalPoint(net, net.init(rng, 1), { tol: 1e-10, maxIterations: 200 });
    if (r.status !== "converged") continue;
    converged++;
    const g = net.gradient(r.theta);
    assert(Math.hypot(...g) < 1e-10);
  }
  assert(converged >= 2, `${converged} of 4 starts converged`);
});

Deno.test("lanczos: Ritz values of a full Krylov space are the Hessian's eigenvalues", () => {
  const rng = new Rng(9);
  const m = 15;
  const x = new Float64Array(m * 2);
  const y = new Float64Array(m);
  rng.fillNormal(x);
  rng.fillNormal(y);
  const net = new TanhMlp([2, 3, 1], x, y, m);
  const theta = net.init(rng, 1);
  const start = new Float64Array(net.n);
  rng.fillNormal(start);
  const kry = lanczos(net, theta, start, net.n);
  const exact = symmetricEigen(net.hessian(theta), net.n).values;
  assert(kry.values.length === net.n);
  // Re-orthogonalised Lanczos over the whole space is a similarity transform up to
  // rounding (~1e-13 relative here); 1e-9 leaves room for ill-separated Ritz values.
  const scale = Math.max(...exact.map(Math.abs));
  for (let i = 0; i < net.n; i++) assertAlmostEquals(kry.values[i], exact[i], 1e-9 * scale);
});
