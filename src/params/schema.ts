/**
 * A pipeline's params: one schema that drives CLI flags, HTTP validation, the
 * dashboard's controls (through JSON Schema) and `deno task list`. Defaults
 * live here, each with the paper it comes from (STYLE.md §2).
 *
 * @module
 */
import { suggestion } from "./did_you_mean.ts";

interface Common {
  /** One line: what it is, in the paper's notation, with units. */
  readonly help: string;
  /** The paper and equation or figure the default comes from. */
  readonly cite?: string;
}

export interface NumberParam extends Common {
  readonly kind: "number";
  readonly default: number;
  readonly min: number;
  readonly max: number;
  /** Whole numbers only (depth, width, seed). */
  readonly integer?: boolean;
}

export interface EnumParam extends Common {
  readonly kind: "enum";
  readonly default: string;
  readonly values: readonly string[];
}

export type ParamSpec = NumberParam | EnumParam;
export type ParamsSchema = Readonly<Record<string, ParamSpec>>;

/** The resolved values of a schema: numbers for number params, strings for enums. */
export type ParamValues<S extends ParamsSchema> = {
  -readonly [K in keyof S]: S[K] extends NumberParam ? number : string;
};

/** A param that is unknown or out of its bounds. `param` is its snake_case name. */
export class ParamError extends Error {
  constructor(readonly param: string, readonly problem: string) {
    super(`${param} ${problem}`);
  }
  /** The same message naming the CLI flag instead (`--sigma-w2 …`). */
  asFlag(): string {
    return `${flagName(this.param)} ${this.problem}`;
  }
}

/** sigma_w2 → --sigma-w2 */
export function flagName(param: string): string {
  return `--${param.replaceAll("_", "-")}`;
}

/** --sigma-w2 → sigma_w2 (undefined for anything that is not a flag) */
export function paramName(flag: string): string | undefined {
  return /^--[a-z][a-z0-9-]*$/.test(flag) ? flag.slice(2).replaceAll("-", "_") : undefined;
}

/** What a param allows, for error messages and help. */
export function describeAllowed(spec: ParamSpec): string {
  if (spec.kind === "enum") return `one of ${spec.values.join(", ")}`;
  return `${spec.integer ? "an integer" : "a number"} in [${spec.min}, ${spec.max}]`;
}

function check(name: string, spec: ParamSpec, value: unknown): number | string {
  if (spec.kind === "enum") {
    if (typeof value === "string" && spec.values.includes(value)) return value;
    throw new ParamError(name, `must be ${describeAllowed(spec)}, got ${JSON.stringify(value)}`);
  }
  const ok = typeof value === "number" && Number.isFinite(value) && value >= spec.min &&
    value <= spec.max && (!spec.integer || Number.isInteger(value));
  if (!ok) {
    throw new ParamError(name, `must be ${describeAllowed(spec)}, got ${JSON.stringify(value)}`);
  }
  return value as number;
}

/**
 * Fill defaults and validate: the one check both the CLI and HTTP go through.
 * Throws ParamError naming the first unknown or bad param.
 */
export function resolveParams<S extends ParamsSchema>(
  schema: S,
  input: Readonly<Record<string, unknown>>,
): ParamValues<S> {
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(schema, key)) {
      const names = Object.keys(schema);
      throw new ParamError(
        key,
        `is not a param${suggestion(key, names)}; allowed: ${names.join(", ")}`,
      );
    }
  }
  const out: Record<string, number | string> = {};
  for (const [name, spec] of Object.entries(schema)) {
    out[name] = input[name] === undefined ? spec.default : check(name, spec, input[name]);
  }
  return out as ParamValues<S>;
}

/** A CLI string as the type its param wants (numbers parsed; anything else left for resolveParams to refuse). */
export function parseFlagValue(spec: ParamSpec, raw: string): unknown {
  if (spec.kind === "enum") return raw;
  const trimmed = raw.trim();
  const n = trimmed === "" ? NaN : Number(trimmed);
  return Number.isNaN(n) ? raw : n;
}

/** The schema as JSON Schema (draft 2020-12), for the dashboard's controls and clients. */
export function toJsonSchema(schema: ParamsSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    properties[name] = spec.kind === "enum"
      ? { type: "string", enum: spec.values, default: spec.default, description: spec.help }
      : {
        type: spec.integer ? "integer" : "number",
        minimum: spec.min,
        maximum: spec.max,
        default: spec.default,
        description: spec.help,
      };
    if (spec.cite) (properties[name] as Record<string, unknown>)["x-cite"] = spec.cite;
  }
  return { type: "object", additionalProperties: false, properties };
}
