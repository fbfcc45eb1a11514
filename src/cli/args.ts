/**
 * Parsing `run` flags against a pipeline's schema (DESIGN.md "Interfaces"):
 * params as kebab-case flags, plus `--backend` and `--log-dir`. Anything wrong
 * is a UsageError with one line naming the flag and what is allowed (exit 2).
 *
 * @module
 */
import { flagName, ParamError, paramName, parseFlagValue } from "../params/schema.ts";
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import { CORES, parseThreads } from "../runtime/threads.ts";
import type { Pipeline } from "../runtime/pipeline.ts";
import { resolveRunParams, runSchema } from "../runtime/run_params.ts";
import { suggestion } from "../params/did_you_mean.ts";
import { type Talk, TalkError } from "../talk/talk.ts";
import { loadTalk } from "./talk_file.ts";

export class UsageError extends Error {}

export interface RunArgs {
  params: Record<string, number | string>;
  backend: BackendChoice;
  logDir: string | null;
  /** the float64 kernels' threads (default: the core count) */
  threads: number;
}

/** Split `--name value` / `--name=value` tokens into [flag, value] pairs. */
export function flagPairs(tokens: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!t.startsWith("--")) {
      throw new UsageError(`unexpected argument "${t}"; flags look like --name value`);
    }
    const eq = t.indexOf("=");
    if (eq > 0) {
      out.push([t.slice(0, eq), t.slice(eq + 1)]);
      continue;
    }
    if (i + 1 >= tokens.length) throw new UsageError(`${t} needs a value`);
    out.push([t, tokens[++i]]);
  }
  return out;
}

// deno-lint-ignore no-explicit-any
export function parseRunArgs(def: Pipeline<any>, tokens: readonly string[]): RunArgs {
  const schema = runSchema(def);
  const input: Record<string, unknown> = {};
  let backend: BackendChoice = "auto";
  let logDir: string | null = "data/runs";
  let threads = CORES;
  for (const [flag, value] of flagPairs(tokens)) {
    if (flag === "--threads") {
      try {
        threads = parseThreads(value, "the float64 kernels' threads");
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      continue;
    }
    if (flag === "--backend") {
      if (!(BACKENDS as readonly string[]).includes(value)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
      }
      backend = value as BackendChoice;
      continue;
    }
    if (flag === "--log-dir") {
      logDir = value === "none" ? null : value;
      continue;
    }
    const name = paramName(flag);
    if (name === undefined || !Object.hasOwn(schema, name)) {
      const allowed = [...Object.keys(schema).map(flagName), "--backend", "--log-dir", "--threads"];
      throw new UsageError(
        `unknown flag ${flag} for ${def.id}${suggestion(flag, allowed)}; allowed: ${
          allowed.join(", ")
        }`,
      );
    }
    if (Object.hasOwn(input, name)) throw new UsageError(`${flag} given twice`);
    input[name] = parseFlagValue(schema[name], value);
  }
  try {
    return { params: resolveRunParams(def, input), backend, logDir, threads };
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(e.asFlag());
    throw e;
  }
}

/** A talk named on the command line; a malformed one is a usage error (exit 2), one line. */
export async function loadTalkArg(
  path: string,
  // deno-lint-ignore no-explicit-any
  pipelines: readonly Pipeline<any>[],
): Promise<Talk> {
  try {
    return await loadTalk(path, pipelines);
  } catch (e) {
    if (e instanceof TalkError) throw new UsageError(e.message);
    throw e;
  }
}
