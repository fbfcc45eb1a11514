/**
 * The two-slide talk the browser tests give (a 6 × 6 phase diagram, a small signal
 * propagation), with notes the projected page and handouts must never show, and a real
 * `watch` of it on a free port.
 *
 * @module
 */
import { serveProcess } from "./serve_process.ts";
import { type Page, WAIT_MS } from "./browser.ts";

export const SPEAKER_NOTES = "speaker-only: remember the critical line";

export const TEST_TALK = {
  title: "browser test talk",
  slides: [
    { title: "phases", pipeline: "phase-diagram", params: { grid: 6 }, notes: SPEAKER_NOTES },
    {
      title: "signals",
      pipeline: "signal-propagation",
      params: { depth: 6, width: 60, draws: 1, pairs: 4 },
      panels: ["qmap", "cmap"],
      notes: SPEAKER_NOTES,
    },
  ],
};

/** Writes the talk (the test talk unless given) into `dir` and returns its path. */
export async function writeTestTalk(dir: string, talk: unknown = TEST_TALK): Promise<string> {
  const file = `${dir}/talk.json`;
  await Deno.writeTextFile(file, JSON.stringify(talk));
  return file;
}

/** `watch <talk>` (the test talk unless given) on a free port with `token`; its audience and
 * presenter URLs. */
export async function startWatch(dir: string, token: string, talk: unknown = TEST_TALK) {
  const talkFile = await writeTestTalk(dir, talk);
  const server = await serveProcess(
    [
      "watch",
      talkFile,
      "--port",
      "0",
      "--token",
      token,
      "--log-dir",
      `${dir}/runs`,
      "--backend",
      "cpu",
    ],
    /presenter: (\S+)/,
  );
  return {
    audience: server.banner.match(/audience: +(\S+)/)![1],
    presenter: server.banner.match(/presenter: (\S+)/)![1],
    server,
  };
}

/** Until the page draws the first slide's phase diagram with at least `cells` cells (6 × 6 here). */
export function phasesDrawn(page: Page, cells = 36): Promise<unknown> {
  return page.waitForFunction(
    (n) => document.querySelectorAll('figure[data-panel="phase"] svg rect').length >= n,
    cells,
    { timeout: WAIT_MS },
  );
}
