/**
 * A statmech-live server command (`watch`, `replay -`) in its own process, for
 * tests that need the real CLI: started on a free port, ready once what it
 * prints on stderr matches `ready`; stderr is drained from then on so the child
 * never blocks on a full pipe.
 */
const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export interface ServeProcess {
  readonly child: Deno.ChildProcess;
  /** what the server printed until it was ready (its URLs) */
  readonly banner: string;
  /** kill it (SIGKILL by default: a crash is what some tests want) and wait for it */
  stop(signal?: Deno.Signal): Promise<void>;
}

export async function serveProcess(
  args: string[],
  ready: RegExp,
  stdin: "piped" | "null" = "null",
): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    stdin,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const err = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!ready.test(banner)) {
    const { value, done } = await err.read();
    if (done) throw new Error(`${args[0]} exited before it was ready:\n${banner}`);
    banner += value;
  }
  const drained = (async () => {
    try {
      while (!(await err.read()).done) { /* drain */ }
    } catch { /* cancelled */ }
  })();
  let stopped = false;
  return {
    child,
    banner,
    async stop(signal: Deno.Signal = "SIGKILL") {
      if (stopped) return;
      stopped = true;
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      await child.status;
      await drained;
    },
  };
}
