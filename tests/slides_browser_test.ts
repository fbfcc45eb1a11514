/**
 * Every slide of the default talk on a projector (issue #29), in headless Chromium: the
 * projected page (?view=present) at 1280 × 720 and 1920 × 1080 of a `watch --offline` that
 * replays each slide's recorded run (tests/fixtures/talk_runs, made by
 * tests/fixtures/record_talk.ts) at 1000× its pace, so the walk takes seconds, not the
 * talk's minutes of compute. On each slide, once its run is drawn:
 *
 * - nothing to scroll: the page is no taller and no wider than the screen;
 * - every piece of chart text (ticks, axis labels, legends, notes in a chart) ≥ 18 px;
 * - no label cut off: a point just inside each end of every chart label hits that label
 *   (document.elementFromPoint), so it is on the screen, inside its frame, and not covered;
 * - one colour per series: a name in two panels' legends has one colour in both.
 *
 * A slide with a problem is saved to tests/artifacts/slide-N-WxH.png; every slide is with
 * SLIDES_SCREENSHOTS=1 in the environment.
 *
 * @module
 */
import { assert, assertEquals } from "./assert.ts";
import { ensureBundle } from "../src/server/assets.ts";
import { launch, NO_BROWSER, WAIT_MS } from "./helpers/browser.ts";
import { serveProcess } from "./helpers/serve_process.ts";
import { recordingId, RECORDINGS, TALK_FILE } from "./fixtures/record_talk.ts";

const TOKEN = "sesame-slides";
const MIN_CHART_PX = 18;
const SCREENS = [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }];

/**
 * What is wrong with the slide on screen, each a line naming the panel and the label.
 * Runs in the page.
 */
function inspectSlide(minPx: number): string[] {
  const problems: string[] = [];
  const doc = document.documentElement;
  if (doc.scrollHeight > doc.clientHeight) {
    problems.push(`scrolls: ${doc.scrollHeight} px tall on a ${doc.clientHeight} px screen`);
  }
  if (doc.scrollWidth > doc.clientWidth) {
    problems.push(`scrolls sideways: ${doc.scrollWidth} px wide on ${doc.clientWidth}`);
  }
  const colours = new Map<string, { colour: string; panel: string }>();
  for (const fig of document.querySelectorAll<HTMLElement>("figure[data-panel]")) {
    const panel = fig.dataset.panel;
    const texts = [...fig.querySelectorAll("svg text, [class*='-swatch']")]
      .filter((e) => (e.textContent ?? "").trim() !== "");
    for (const t of texts) {
      const px = parseFloat(getComputedStyle(t).fontSize);
      if (px < minPx) problems.push(`${panel}: "${t.textContent!.trim()}" at ${px} px`);
    }
    for (const t of fig.querySelectorAll("svg text")) {
      const text = (t.textContent ?? "").trim();
      const r = t.getBoundingClientRect();
      if (!text || r.width === 0 || getComputedStyle(t).visibility === "hidden") continue;
      // a rotated label's ends are its top and bottom
      const upright = r.width >= r.height || text.length === 1;
      const ends = upright
        ? [[r.left + 2, r.top + r.height / 2], [r.right - 2, r.top + r.height / 2]]
        : [[r.left + r.width / 2, r.top + 2], [r.left + r.width / 2, r.bottom - 2]];
      const hits = ends.map(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit !== null && (hit === t || t.contains(hit));
      });
      if (!hits.every(Boolean)) {
        problems.push(
          `${panel}: "${text}" cut off or covered at its ${hits[0] ? "end" : "start"}`,
        );
      }
    }
    // legends: Plot's swatches, each a small svg filled with the series' colour, then its name
    for (const s of fig.querySelectorAll("[class*='-swatch']")) {
      const name = (s.textContent ?? "").trim();
      const svg = s.querySelector("svg");
      const colour = svg?.getAttribute("fill") ??
        svg?.querySelector("[fill]")?.getAttribute("fill");
      if (!name || !colour) continue;
      const seen = colours.get(name);
      if (seen && seen.colour !== colour) {
        problems.push(
          `"${name}" is ${seen.colour} in ${seen.panel} and ${colour} in ${panel}`,
        );
      }
      if (!seen) colours.set(name, { colour, panel: panel! });
    }
  }
  return problems;
}

Deno.test({
  name:
    "every slide of the default talk fits 1280 × 720 and 1920 × 1080: no scroll, chart text ≥ 18 px, no label cut off, one colour per series",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const talk = JSON.parse(await Deno.readTextFile(TALK_FILE)) as {
      slides: { title: string }[];
    };
    const dir = Deno.makeTempDirSync({ prefix: "statmech-slides-" });
    Deno.mkdirSync(`${dir}/runs`);
    for (let i = 0; i < talk.slides.length; i++) {
      const gz = new URL(`${recordingId(i)}.ndjson.gz`, RECORDINGS);
      let file: Deno.FsFile;
      try {
        file = await Deno.open(gz);
      } catch {
        throw new Error(
          `no recording of slide ${i + 1} (${gz.pathname}): run deno task record-talk`,
        );
      }
      const text = await new Response(
        file.readable.pipeThrough(new DecompressionStream("gzip")),
      ).text();
      await Deno.writeTextFile(`${dir}/runs/${recordingId(i)}.ndjson`, text);
    }
    const server = await serveProcess(
      [
        "watch",
        TALK_FILE,
        "--offline",
        "--speed",
        "1000",
        "--port",
        "0",
        "--token",
        TOKEN,
        "--log-dir",
        `${dir}/runs`,
      ],
      /presenter: (\S+)/,
    );
    const audience = server.banner.match(/audience: +(\S+)/)![1];
    const origin = new URL(audience).origin;
    const browser = await launch();
    const failures: string[] = [];
    try {
      // one page for both screens: a page opened later would first be sent every row the
      // server's ring holds (the whole first walk's), before the slide messages it waits for
      const page = await browser.newPage({ viewport: SCREENS[0] });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${audience}?view=present`);
      for (const viewport of SCREENS) {
        await page.setViewportSize(viewport);
        for (let i = 0; i < talk.slides.length; i++) {
          const moved = await fetch(`${origin}/api/talk/slide`, {
            method: "PUT",
            headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
            body: JSON.stringify({ slide: i }),
          });
          const state = await moved.json();
          assertEquals(moved.status, 200, `slide ${i + 1}: ${JSON.stringify(state)}`);
          if (state.runs[i] === null) {
            throw new Error(
              `slide ${
                i + 1
              }: no recording with its params (the talk or its pipeline changed): deno task record-talk`,
            );
          }
          // the slide is up and its replayed run has ended, every panel drawn
          await page.waitForFunction(
            (title) =>
              document.querySelector("#slide-title")?.textContent === title &&
              /· ok( ·|$)/.test(document.querySelector("#run-info")?.textContent ?? "") &&
              [...document.querySelectorAll("figure[data-panel]")].every((f) =>
                f.querySelector("svg, table") !== null
              ) &&
              // the layout measured its labels and chrome and needs no further redraw
              document.querySelector<HTMLElement>("#panels")?.dataset.settled === "yes",
            talk.slides[i].title,
            { timeout: WAIT_MS },
          );
          await page.waitForTimeout(250); // a redraw already scheduled by the last rows lands
          await page.waitForFunction(
            () => document.querySelector<HTMLElement>("#panels")?.dataset.settled === "yes",
            null,
            { timeout: WAIT_MS },
          );
          const problems = await page.evaluate(inspectSlide, MIN_CHART_PX);
          for (const p of problems) {
            failures.push(`${viewport.width} × ${viewport.height}, slide ${i + 1}: ${p}`);
          }
          if (problems.length || Deno.env.get("SLIDES_SCREENSHOTS")) {
            Deno.mkdirSync("tests/artifacts", { recursive: true });
            await page.screenshot({
              path: `tests/artifacts/slide-${i + 1}-${viewport.width}x${viewport.height}.png`,
            });
          }
        }
      }
      assertEquals(errors, [], "page errors");
    } finally {
      await browser.close();
      await server.stop();
      Deno.removeSync(dir, { recursive: true });
    }
    assert(failures.length === 0, `${failures.length} problems:\n${failures.join("\n")}`);
  },
});
