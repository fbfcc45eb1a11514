/**
 * Params every run has besides its pipeline's own, and the one resolution step
 * that CLI and HTTP share: defaults, bounds, then the pipeline's cross-checks.
 *
 * @module
 */
import { type NumberParam, type ParamsSchema, resolveParams } from "../params/schema.ts";
import type { Pipeline } from "./pipeline.ts";

export const SEED: NumberParam = {
  kind: "number",
  default: 1,
  min: 0,
  max: 4294967295,
  integer: true,
  help: "seed of the run's random source (same seed, same rows)",
};

/** A pipeline's params with `seed` added. */
// deno-lint-ignore no-explicit-any
export function runSchema(def: Pipeline<any>): ParamsSchema {
  return { ...def.params, seed: SEED };
}

/** Validated params with defaults filled, seed included; throws ParamError. */
export function resolveRunParams(
  // deno-lint-ignore no-explicit-any
  def: Pipeline<any>,
  input: Readonly<Record<string, unknown>>,
): Record<string, number | string> {
  const params = resolveParams(runSchema(def), input);
  def.check?.(params);
  return params;
}
