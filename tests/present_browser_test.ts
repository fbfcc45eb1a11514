/**
 * Presentation mode and the presenter console in real browsers, against a real `watch`:
 * the projected page (?view=present) at 1280 × 720 and on a 390 × 844 phone holds no
 * secret and nothing but the slide, its chart text is readable from the back of a room,
 * nothing overflows sideways, and the console (the token's page) drives it.
 */
import { assert, assertEquals } from "./assert.ts";
import { ensureBundle } from "../src/server/assets.ts";
import { launch, NO_BROWSER, WAIT_MS } from "./helpers/browser.ts";
import { SPEAKER_NOTES as NOTES, startWatch } from "./helpers/test_talk.ts";

const TOKEN = "sesame-present";
/** The smallest chart text on the projector (ticks, labels, legends) at 1280 × 720. */
const MIN_CHART_PX = 18;
/** The slide title's size at 1280 × 720. */
const MIN_TITLE_PX = 32;

Deno.test({
  name:
    "presentation mode: the projected slide fills the screen in large type, holds no notes or token, and follows the console",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-present-" });
    const { audience: base, presenter, server } = await startWatch(dir, TOKEN);
    const browser = await launch();
    try {
      const errors: string[] = [];
      // the console: the token leaves the address bar once the page has it
      // one browser context, as one speaker's browser: the console and the windows it opens
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const consolePage = await context.newPage();
      consolePage.on("pageerror", (e) => errors.push(`console: ${e}`));
      await consolePage.goto(presenter);
      await consolePage.waitForFunction(
        () => document.querySelector("figure[data-panel] svg") !== null,
        null,
        { timeout: WAIT_MS },
      );
      assert(
        !consolePage.url().includes(TOKEN),
        `token in the console's address: ${consolePage.url()}`,
      );
      assert(
        (await consolePage.locator("#notes").textContent())?.includes(NOTES),
        "notes on the console",
      );
      assert(/\d/.test((await consolePage.locator("#clock").textContent()) ?? ""), "a clock");
      assertEquals(await consolePage.locator("#next-slide").textContent(), "next: signals");

      const screens = [
        { width: 1280, height: 720 },
        { width: 1920, height: 1080 },
        { width: 390, height: 844 },
      ];
      for (const viewport of screens) {
        // at 1280 × 720 the way a speaker does it: the console's "Projector window" button
        // (a window.open, which copies the console's session storage: the token must not
        // survive into the projector); a phone opens the present view by its address
        const projector = viewport.width === 1280
          ? (await Promise.all([
            context.waitForEvent("page"),
            consolePage.click("#open-projector"),
          ]))[0]
          : await context.newPage();
        await projector.setViewportSize(viewport);
        projector.on("pageerror", (e) => errors.push(`projector: ${e}`));
        projector.on("response", (r) => {
          if (r.status() >= 400) errors.push(`projector: ${r.status()} ${r.url()}`);
        });
        if (viewport.width !== 1280) await projector.goto(`${base}?view=present`);
        await projector.waitForFunction(
          () => document.querySelector("figure[data-panel] svg") !== null,
          null,
          { timeout: WAIT_MS },
        );
        const shown = await projector.evaluate(() => ({
          stored: JSON.stringify({ ...sessionStorage }),
          html: document.documentElement.outerHTML,
          url: location.href,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          overflowY: document.documentElement.scrollHeight - document.documentElement.clientHeight,
          sidebar: getComputedStyle(document.querySelector("aside")!).display,
          title: document.querySelector("#slide-title")!.textContent,
          titlePx: parseFloat(getComputedStyle(document.querySelector("#slide-title")!).fontSize),
          // every piece of text inside a chart: ticks, axis labels, legend entries
          chartPx: Math.min(
            ...[...document.querySelectorAll("figure svg text, figure [class*='-swatch']")]
              .filter((e) => (e.textContent ?? "").trim() !== "")
              .map((e) => parseFloat(getComputedStyle(e).fontSize)),
          ),
        }));
        assert(!shown.html.includes(NOTES), "speaker's notes in the projected page");
        assert(
          !shown.html.includes(TOKEN) && !shown.url.includes(TOKEN),
          "token in the projected page",
        );
        assertEquals(shown.sidebar, "none");
        assertEquals(shown.title, "phases");
        assert(shown.overflow <= 0, `${viewport.width} px wide: overflows by ${shown.overflow} px`);
        if (viewport.width >= 1280) {
          // both 16:9 projectors: large type, and the slide fits the screen (nothing to scroll)
          assert(shown.titlePx >= MIN_TITLE_PX, `slide title ${shown.titlePx} px`);
          assert(
            shown.overflowY <= 0,
            `${viewport.width} px: overflows by ${shown.overflowY} px down`,
          );
          assert(shown.chartPx >= MIN_CHART_PX, `smallest chart text ${shown.chartPx} px`);
        }
        // the console moves the talk; the projector follows
        if (viewport.width === 1280) {
          await consolePage.keyboard.press("ArrowRight");
          await projector.waitForFunction(
            () => document.querySelector("#slide-title")?.textContent === "signals",
            null,
            { timeout: WAIT_MS },
          );
          // a slide key pressed on the projector travels to the console, which moves back
          await projector.keyboard.press("ArrowLeft");
          await consolePage.waitForFunction(
            () => document.querySelector("#slide-label")?.textContent?.startsWith("1 / 2"),
            null,
            { timeout: WAIT_MS },
          );
          await projector.waitForFunction(
            () => document.querySelector("#slide-title")?.textContent === "phases",
            null,
            { timeout: WAIT_MS },
          );
          Deno.mkdirSync("tests/artifacts", { recursive: true });
          await projector.screenshot({ path: "tests/artifacts/present-1280x720.png" });
        }
        await projector.close();
      }
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.stop();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
