/**
 * statmech-live's command line (DESIGN.md "Interfaces"): run, list, watch,
 * replay, export and bundle. It parses the command and hands off; it mounts nothing itself.
 *
 * @module
 */
import { findPipeline, PIPELINES } from "./pipelines/mod.ts";
import { parseRunArgs, UsageError } from "./src/cli/args.ts";
import { listJson, listText } from "./src/cli/list.ts";
import { runCommand } from "./src/cli/run_command.ts";

const USAGE = `usage:
  deno task watch [--port 8000] [--host 127.0.0.1] [--backend auto|webgpu|wasm|cpu] [--token T] [--hub redis://host:port] [--workers auto|always] [--threads N]
  deno task worker --hub redis://host:port [--backend …] [--log-dir DIR|none] [--concurrency 1]
  deno task run <pipeline> [--<param> <value>]… [--seed N] [--backend auto|webgpu|wasm|cpu] [--log-dir DIR|none] [--threads N]
  deno task list [--json]
  deno task replay <file.ndjson> [--port 8000] [--rate 200]
  deno task export [talk] [--out talk.html]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "run": {
      const [id, ...flags] = rest;
      if (!id || id.startsWith("--")) {
        throw new UsageError(`run needs a pipeline: ${PIPELINES.map((p) => p.id).join(", ")}`);
      }
      const def = findPipeline(id);
      if (!def) {
        throw new UsageError(
          `unknown pipeline "${id}"; available: ${PIPELINES.map((p) => p.id).join(", ")}`,
        );
      }
      return await runCommand(def, parseRunArgs(def, flags));
    }
    case "list": {
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== "--json")) {
        throw new UsageError(`list takes only --json`);
      }
      console.log(rest[0] === "--json" ? listJson(PIPELINES) : listText(PIPELINES));
      return 0;
    }
    case "export": {
      const { exportCommand } = await import("./src/cli/export_command.ts");
      return await exportCommand(rest);
    }
    case "worker": {
      const { workerCommand } = await import("./src/cli/worker_command.ts");
      return await workerCommand(rest);
    }
    case "watch":
    case "replay":
    case "bundle": {
      const { serveCommand } = await import("./src/cli/serve_command.ts");
      return await serveCommand(command, rest);
    }
    case undefined:
    case "help":
    case "--help":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}
