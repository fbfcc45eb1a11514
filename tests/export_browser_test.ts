/**
 * `deno task export`: one HTML file that plays a talk with no server and no network,
 * opened from file:// in Chromium with every non-file request refused.
 */
import { assert, assertEquals } from "./assert.ts";
import { launch, NO_BROWSER, offline, WAIT_MS } from "./helpers/browser.ts";
import { SPEAKER_NOTES as NOTES, writeTestTalk } from "./helpers/test_talk.ts";

Deno.test({
  name: "export: the talk plays from one file offline, every slide drawn, no notes inside",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "statmech-export-" });
    const browser = await launch();
    try {
      const talkFile = await writeTestTalk(dir);
      const out = `${dir}/handout.html`;
      const cmd = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "main.ts",
          "export",
          talkFile,
          "--out",
          out,
          "--backend",
          "cpu",
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(cmd.stderr);
      assert(cmd.success, said);
      assert(/wrote .*handout\.html: [\d.]+ MiB, 2 slides/.test(said), said);
      const html = await Deno.readTextFile(out);
      assert(!html.includes(NOTES), "the speaker's notes are not handed out");

      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const requests = await offline(page);
      await page.goto(`file://${out}`);
      const drawn = async (title: string) => {
        await page.waitForFunction(
          (t) =>
            document.querySelector("#slide-title")?.textContent === t &&
            document.querySelector("figure[data-panel] svg") !== null,
          title,
          { timeout: WAIT_MS },
        );
        return await page.locator("figure[data-panel]").count();
      };
      assertEquals(await drawn("phases"), 1); // the heatmap
      await page.keyboard.press("ArrowRight");
      assertEquals(await drawn("signals"), 2); // the slide's two panels
      assert((await page.locator('figure[data-panel="cmap"] svg circle').count()) > 0, "points");
      await page.keyboard.press("ArrowLeft");
      await drawn("phases");
      assertEquals(requests, []);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
