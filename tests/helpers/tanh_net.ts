import { TanhMlp } from "../../src/landscape/mlp.ts";
import type { Rng } from "../../src/random/rng.ts";

/** A 3-4-2 tanh net (26 parameters) on 20 Gaussian inputs and targets: small enough for exact checks. */
export function smallTanhNet(rng: Rng): TanhMlp {
  const m = 20;
  const x = new Float64Array(m * 3);
  const y = new Float64Array(m * 2);
  rng.fillNormal(x);
  rng.fillNormal(y);
  return new TanhMlp([3, 4, 2], x, y, m);
}
