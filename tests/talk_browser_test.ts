/**
 * A talk in real browsers, against a real `watch` process: the presenter's page
 * advances a slide and an audience page follows; the audience page has no
 * working controls; a panel downloads as a valid SVG and PNG; editing a pipeline
 * file re-runs the slide on screen and the open audience page shows the new run.
 */
import { assert, assertEquals } from "./assert.ts";
import { ensureBundle } from "../src/server/assets.ts";
import { launch, NO_BROWSER, WAIT_MS } from "./helpers/browser.ts";
import { phasesDrawn, startWatch } from "./helpers/test_talk.ts";

const runOf = (text: string | null) => text?.match(/run (\S+)/)?.[1];

Deno.test({
  name:
    "talk in the browser: the audience follows the presenter's slide, has no working controls, exports panels, and sees a hot-reloaded run",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-talk-" });
    const { audience, presenter, server } = await startWatch(dir, "sesame");
    const browser = await launch();
    try {
      const errors: string[] = [];
      const lead = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      lead.on("pageerror", (e) => errors.push(`presenter: ${e}`));
      await lead.goto(presenter);
      // The presenter's page starts the first slide's run: the 6×6 phase diagram fills in.
      await phasesDrawn(lead);
      assert(await lead.locator("#next").isVisible(), "the presenter has slide controls");

      const room = await browser.newPage({
        viewport: { width: 1400, height: 900 },
        acceptDownloads: true,
      });
      room.on("pageerror", (e) => errors.push(`audience: ${e}`));
      await room.goto(audience);
      await room.waitForFunction(
        () => document.querySelector("#slide-label")?.textContent?.startsWith("1 / 2"),
        null,
        { timeout: WAIT_MS },
      );
      // no controls to see, and the server refuses the audience's page anyway
      for (const sel of ["#start", "#stop", "#next", "#prev", "#params", "#replay"]) {
        assertEquals(await room.locator(sel).isVisible(), false, `${sel} hidden from the audience`);
      }
      const refused = await room.evaluate(async () => {
        const post = await fetch("/api/runs", {
          method: "POST",
          body: JSON.stringify({ pipeline: "phase-diagram", params: {} }),
        });
        const slide = await fetch("/api/talk/slide", { method: "PUT", body: '{"slide": 1}' });
        return [post.status, slide.status];
      });
      assertEquals(refused, [401, 401]);
      await room.keyboard.press("ArrowRight"); // keys do nothing on an audience page
      await new Promise((r) => setTimeout(r, 300));
      assert((await room.locator("#slide-label").textContent())!.startsWith("1 / 2"));

      // The presenter moves on; the audience page follows to slide 2 and its panels.
      await lead.keyboard.press("ArrowRight");
      await room.waitForFunction(
        () =>
          document.querySelector("#slide-label")?.textContent?.startsWith("2 / 2") &&
          document.querySelectorAll('figure[data-panel="qmap"] svg circle').length >= 7 &&
          document.querySelector("#run-info")?.textContent?.includes(" ok"),
        null,
        { timeout: WAIT_MS },
      );
      assertEquals(
        await room.locator("figure[data-panel]").evaluateAll((fs) =>
          fs.map((f) => (f as HTMLElement).dataset.panel)
        ),
        ["qmap", "cmap"],
        "only the slide's panels",
      );
      // the address says what is on screen, so a link reproduces it
      assertEquals(new URL(room.url()).hash, "#slide=2");
      assertEquals(new URL(lead.url()).hash, "#slide=2");

      // Export: the q_l panel as SVG (a well-formed SVG document with the points) and PNG.
      const [svgDl] = await Promise.all([
        room.waitForEvent("download"),
        room.click('figure[data-panel="qmap"] button.export:text("SVG")'),
      ]);
      const svg = await Deno.readTextFile((await svgDl.path())!);
      assert(svg.startsWith("<?xml") && svg.includes('xmlns="http://www.w3.org/2000/svg"'));
      const parsed = await room.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, "image/svg+xml");
        return {
          error: doc.querySelector("parsererror")?.textContent ?? null,
          root: doc.documentElement.nodeName,
          circles: doc.querySelectorAll("circle").length,
        };
      }, svg);
      assertEquals(parsed.error, null);
      assertEquals(parsed.root, "svg");
      assert(parsed.circles >= 7, `${parsed.circles} points in the SVG`);
      const [pngDl] = await Promise.all([
        room.waitForEvent("download"),
        room.click('figure[data-panel="qmap"] button.export:text("PNG")'),
      ]);
      const png = await Deno.readFile((await pngDl.path())!);
      assertEquals([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");
      assert(png.length > 5000, `PNG of ${png.length} bytes`);

      // Hot reload: an edit to the slide's pipeline file (rewritten as it was) re-runs the
      // slide, and the audience page — never reloaded — shows the new run.
      const before = runOf(await room.locator("#run-info").textContent());
      const file = new URL("../pipelines/signal_propagation.ts", import.meta.url);
      await Deno.writeTextFile(file, await Deno.readTextFile(file));
      const t0 = performance.now();
      await room.waitForFunction(
        (old) => {
          const info = document.querySelector("#run-info")?.textContent ?? "";
          return info.includes("run ") && !info.includes(`run ${old}`) &&
            document.querySelectorAll('figure[data-panel="qmap"] svg circle').length >= 7;
        },
        before,
        { timeout: WAIT_MS },
      );
      console.log(`hot reload shown in ${(performance.now() - t0).toFixed(0)} ms`);
      // …and the browser's worker for local runs is rebuilt from the edit
      const edited = (await Deno.stat(file)).mtime!.getTime();
      const worker = new URL("../dashboard/dist/local.js", import.meta.url);
      const deadline = Date.now() + WAIT_MS;
      while ((await Deno.stat(worker)).mtime!.getTime() < edited) {
        assert(Date.now() < deadline, "local.js rebuilt after the pipeline's edit");
        await new Promise((r) => setTimeout(r, 100));
      }
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.stop("SIGTERM");
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
