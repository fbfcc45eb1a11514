import { assertAlmostEquals } from "./assert.ts";
import { learningTime, modeStrength, modeStrengthDeep } from "../src/linear/theory.ts";

Deno.test("modeStrength() solves τ da/dt = 2a(s − a) and starts at a0", () => {
  const s = 3, a0 = 1e-4, tau = 200;
  assertAlmostEquals(modeStrength(s, a0, 0, tau), a0, 1e-18);
  for (const t of [50, 400, 900]) {
    const h = 1e-3;
    const dadt = (modeStrength(s, a0, t + h, tau) - modeStrength(s, a0, t - h, tau)) / (2 * h);
    const a = modeStrength(s, a0, t, tau);
    // central difference: O(h²) error on a smooth sigmoid of scale τ/s
    assertAlmostEquals(tau * dadt, 2 * a * (s - a), 1e-6 * s * s);
  }
});

Deno.test("learningTime() inverts modeStrength()", () => {
  const s = 5, a0 = 1e-6, tau = 2000;
  for (const af of [1e-3, 2.5, 4.99]) {
    assertAlmostEquals(modeStrength(s, a0, learningTime(s, a0, af, tau), tau) / af, 1, 1e-10);
  }
});

Deno.test("modeStrengthDeep() at depth 2 reproduces the closed form (RK4, 8 substeps a step)", () => {
  const s = 4, a0 = 1e-6, tau = 1000;
  const deep = modeStrengthDeep(s, a0, 2, tau, 3000);
  for (const t of [0, 1000, 1800, 2200, 3000]) {
    // RK4's global error ∝ h⁴ with h = 1/8 step on a time scale τ/2s = 125 steps: ~1e-9 relative.
    assertAlmostEquals(deep[t] / modeStrength(s, a0, t, tau), 1, 1e-7);
  }
});
