import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./assert.ts";
import { type C, div as cdiv, log as clog, mul as cmul } from "../src/numerics/complex.ts";
import { expect1, expect2, gaussHermite, MAX_NODES } from "../src/numerics/gauss_hermite.ts";
import { brent, NoBracketError } from "../src/numerics/brent.ts";
import { erf } from "../src/numerics/erf.ts";

// Gauss–Hermite with n nodes is exact for polynomials of degree < 2n; what is
// left is float64 rounding in sums of ~100 terms of mixed size.
const RULE_TOL = 1e-12;

Deno.test("gaussHermite() weights sum to 1 and nodes are symmetric", () => {
  for (const n of [1, 2, 7, 100, MAX_NODES]) {
    const { nodes, weights } = gaussHermite(n);
    assertAlmostEquals(weights.reduce((a, b) => a + b, 0), 1, RULE_TOL);
    for (let i = 0; i < n; i++) assertAlmostEquals(nodes[i], -nodes[n - 1 - i], 1e-12);
  }
});

Deno.test("expect1() gives the Gaussian moments E z^{2k} = (2k−1)!! exactly", () => {
  let dfact = 1;
  for (let k = 1; k <= 20; k++) {
    dfact *= 2 * k - 1;
    assertAlmostEquals(expect1((z) => z ** (2 * k)) / dfact, 1, RULE_TOL);
    assertAlmostEquals(expect1((z) => z ** (2 * k - 1)), 0, RULE_TOL * dfact);
  }
});

Deno.test("expect1() integrates E cos(a z) = e^{−a²/2} (an entire function)", () => {
  for (const a of [0.1, 1, 3]) {
    assertAlmostEquals(expect1((z) => Math.cos(a * z)), Math.exp(-a * a / 2), RULE_TOL);
  }
});

Deno.test("expect2() gives E[z1² z2²] = 1 and E[(z1 + z2)^4] = 12", () => {
  assertAlmostEquals(expect2((a, b) => a * a * b * b), 1, RULE_TOL);
  assertAlmostEquals(expect2((a, b) => (a + b) ** 4), 12, RULE_TOL * 12);
});

Deno.test("gaussHermite() rejects a node count outside [1, 400]", () => {
  assertThrows(() => gaussHermite(0), RangeError, "n must be an integer in [1, 180]");
});

Deno.test("brent() finds √2, cos's root, and refuses an unbracketed interval", () => {
  assertAlmostEquals(brent((x) => x * x - 2, 0, 2), Math.SQRT2, 1e-14);
  assertAlmostEquals(brent(Math.cos, 1, 2), Math.PI / 2, 1e-14);
  assertThrows(() => brent((x) => x * x + 1, -1, 1), NoBracketError, "do not bracket");
});

// Reference values of erf to 16 digits (Abramowitz & Stegun Table 7.1, extended).
const ERF_TABLE: [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [2, 0.9953222650189527],
  [2.9, 0.9999589021219005],
  [3, 0.9999779095030014],
  [3.5, 0.9999992569016276],
  [5, 0.9999999999984626],
];
// Both branches are accurate to a few ulps; 2e-15 allows for the switch at 3.
const ERF_TOL = 2e-15;

Deno.test("erf() matches tabulated values on both branches and is odd", () => {
  for (const [x, v] of ERF_TABLE) {
    assertAlmostEquals(erf(x), v, ERF_TOL);
    assertAlmostEquals(erf(-x), -v, ERF_TOL);
  }
  assert(Number.isNaN(erf(NaN)));
  assertAlmostEquals(erf(40), 1, 0);
});

Deno.test("complex: products, quotients and the principal log against their definitions", () => {
  const a: C = [1.5, -2], b: C = [-0.5, 0.25];
  assertEquals(cmul(a, b), [1.5 * -0.5 - -2 * 0.25, 1.5 * 0.25 + -2 * -0.5]);
  const q = cdiv(a, b);
  const back = cmul(q, b); // (a / b) b = a
  assertAlmostEquals(back[0], a[0], 1e-14);
  assertAlmostEquals(back[1], a[1], 1e-14);
  const l = clog([-1, 0]); // log(−1) = iπ on the principal branch
  assertAlmostEquals(l[0], 0, 1e-15);
  assertAlmostEquals(l[1], Math.PI, 1e-15);
});
