/**
 * Hot reload of `watch`: a changed pipeline file re-runs what is on screen, a changed
 * talk file re-reads the talk.
 *
 * @module
 */
import type { Pipeline } from "../runtime/pipeline.ts";
import { registerSource } from "../runtime/run_pool.ts";
import type { Runs } from "../server/runs.ts";
import type { TalkState } from "../server/talk_state.ts";
import { loadTalk } from "./talk_file.ts";
import { ensureBundle } from "../server/assets.ts";

/**
 * Hot reload. A changed pipeline file is re-imported (a fresh module URL) and
 * replaces its registry entry; what is on screen re-runs with the same params:
 * the current slide if it uses that pipeline, else the pipeline's latest run.
 * A changed talk file is re-read and re-runs the current slide. Edits come in
 * bursts of events (editors write, rename, chmod), so each file waits 150 ms.
 * A changed pipeline also rebuilds the browser's worker (dashboard/dist/local.js,
 * in a `deno bundle` process): a page's next "run it here" starts from the edit.
 */
export async function watchFiles(
  registry: Map<string, Pipeline>,
  runs: Runs,
  talk: { state: TalkState; path: string } | null,
): Promise<void> {
  const dir = new URL("../../pipelines/", import.meta.url).pathname;
  const talkFile = talk ? await Deno.realPath(talk.path) : null;
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  // The talk file's directory, not the file: editors that save by renaming a new file
  // over the old one would leave a watch on the file itself watching nothing.
  const paths = talkFile ? [dir, talkFile.slice(0, talkFile.lastIndexOf("/"))] : [dir];
  for await (const ev of Deno.watchFs(paths, { recursive: false })) {
    for (const path of ev.paths) {
      const name = path.split("/").pop() ?? "";
      const isTalk = path === talkFile;
      if (!isTalk && (!path.startsWith(dir) || !name.endsWith(".ts") || name === "mod.ts")) {
        continue;
      }
      clearTimeout(timers.get(path));
      timers.set(
        path,
        setTimeout(() => {
          (isTalk ? reloadTalk(talk!, registry) : reloadPipeline(path, registry, runs, talk?.state))
            .catch((e) =>
              console.error(
                `${name} changed but failed to load: ${e instanceof Error ? e.message : e}`,
              )
            );
        }, 150),
      );
    }
  }
}

async function reloadTalk(
  talk: { state: TalkState; path: string },
  registry: Map<string, Pipeline>,
) {
  const next = await loadTalk(talk.path, [...registry.values()]);
  await talk.state.reload(next);
  console.error(
    `${talk.path} changed: ${next.slides.length} slides; re-running slide ${talk.state.slide + 1}`,
  );
}

async function reloadPipeline(
  path: string,
  registry: Map<string, Pipeline>,
  runs: Runs,
  talk: TalkState | undefined,
) {
  const name = path.split("/").pop();
  const url = `file://${path}?v=${Date.now()}`;
  const mod = await import(url);
  const def = mod.default as Pipeline;
  registerSource(def, url); // its runs' workers import the new version
  registry.set(def.id, def);
  // in the background: the re-run below shows first; a stale worker is a page's next click away
  ensureBundle().catch((e) =>
    console.error(`${name} changed but the browser's worker did not rebuild: ${e.message ?? e}`)
  );
  if (await talk?.pipelineChanged(def.id)) {
    console.error(`${name} changed: re-running slide ${talk!.slide + 1}`);
    return;
  }
  const last = runs.list().filter((r) => r.pipeline === def.id && r.source === "live").at(-1);
  if (last) {
    runs.stop(last.run);
    const rec = runs.start(def, { ...last.params });
    console.error(`${name} changed: re-running ${def.id} as ${rec.run}`);
  } else console.error(`${name} changed: reloaded ${def.id}`);
}
