/**
 * The flags of `watch` and `replay`: port, host, backend, token, log directory, and
 * replay pacing; each checked, with a one-line error naming what is allowed.
 *
 * @module
 */
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import { flagPairs, UsageError } from "./args.ts";
import { suggestion } from "../params/did_you_mean.ts";
import { parseHubUrl } from "../server/hub_url.ts";
import { CORES, parseThreads } from "../runtime/threads.ts";

export interface ServeFlags {
  port: number;
  host: string;
  backend: BackendChoice;
  token: string | null;
  logDir: string;
  rate: number | null;
  speed: number;
  offline: boolean;
  /** redis://host:port: the hub on Redis, shared by several replicas (null: in-process) */
  hub: string | null;
  /** with a hub: send runs to workers when any are up (auto) or always */
  workers: "auto" | "always";
  /** runs computed at once, each in a Worker off the serving thread (default: the core count) */
  threads: number;
}

export function parseServeFlags(tokens: string[], allowed: readonly string[]): ServeFlags {
  const f: ServeFlags = {
    port: 8000,
    host: "127.0.0.1",
    backend: "auto",
    token: null,
    logDir: "data/runs",
    rate: null,
    speed: 1,
    offline: false,
    hub: Deno.env.get("STATMECH_HUB") || null,
    workers: "auto",
    threads: CORES,
  };
  const booleans = ["--offline"];
  for (
    const [flag, value] of flagPairs(
      tokens.flatMap((t) => booleans.includes(t) ? [t, "true"] : [t]),
    )
  ) {
    if (!allowed.includes(flag)) {
      throw new UsageError(
        `unknown flag ${flag}${suggestion(flag, allowed)}; allowed: ${allowed.join(", ")}`,
      );
    }
    if (flag === "--port") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        throw new UsageError(`--port must be an integer in [0, 65535], got "${value}"`);
      }
      f.port = n;
    } else if (flag === "--host") f.host = value;
    else if (flag === "--backend") {
      if (!(BACKENDS as readonly string[]).includes(value)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
      }
      f.backend = value as BackendChoice;
    } else if (flag === "--token") f.token = value;
    else if (flag === "--log-dir") f.logDir = value;
    else if (flag === "--rate") {
      const n = Number(value);
      if (!(n > 0 && n <= 1e6)) {
        throw new UsageError(
          `--rate must be a number of rows per second in (0, 1e6], got "${value}"`,
        );
      }
      f.rate = n;
    } else if (flag === "--speed") {
      const n = Number(value);
      if (!(n > 0 && n <= 1000)) {
        throw new UsageError(
          `--speed must be a multiple of the recorded pace in (0, 1000], got "${value}"`,
        );
      }
      f.speed = n;
    } else if (flag === "--offline") f.offline = true;
    else if (flag === "--hub") {
      try {
        parseHubUrl(value);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      f.hub = value;
    } else if (flag === "--workers") {
      if (value !== "auto" && value !== "always") {
        throw new UsageError(`--workers must be one of auto, always, got "${value}"`);
      }
      f.workers = value;
    } else if (flag === "--threads") {
      try {
        f.threads = parseThreads(value, "runs computed at once");
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
  }
  return f;
}
