/**
 * The dashboard in a real browser (headless Chromium from Debian, driven by
 * playwright-core): it opens, starts a run from the generated controls, and
 * the q_l panel fills with simulation points; a second window sees the same run.
 */
import { assert } from "./assert.ts";
import { ensureBundle } from "../src/server/assets.ts";
import { startServer } from "./helpers/server.ts";
import { type Browser, launch, NO_BROWSER, WAIT_MS } from "./helpers/browser.ts";

/** A test against a fresh server and a fresh headless Chromium, both closed afterwards. */
function browserTest(name: string, fn: (browser: Browser, base: string) => Promise<void>) {
  Deno.test({
    name,
    ignore: NO_BROWSER,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      await ensureBundle();
      const srv = startServer();
      const browser = await launch();
      try {
        await fn(browser, srv.base);
      } finally {
        await browser.close();
        await srv.close();
      }
    },
  });
}

browserTest(
  "dashboard: starting a run from the controls fills the q_l panel with theory and simulation; a second window sees it",
  async (browser, base) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/");
    await page.waitForFunction(
      () => document.querySelector("#params form input[name=depth]") !== null,
      null,
      { timeout: WAIT_MS },
    );
    // A small run, so the test is quick; controls are generated from the schema.
    await page.fill("input[name=depth]", "12");
    await page.fill("input[name=width]", "300");
    await page.fill("input[name=draws]", "2");
    await page.click("#start");
    await page.waitForFunction(
      () => document.querySelectorAll('figure[data-panel="qmap"] svg circle').length >= 13,
      null,
      { timeout: WAIT_MS },
    );
    const lines = await page.locator('figure[data-panel="qmap"] svg path').count();
    assert(lines >= 1, "the theory line is drawn");
    await page.waitForFunction(
      () => document.querySelector("#run-info")?.textContent?.includes(" ok"),
      null,
      { timeout: WAIT_MS },
    );
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/dashboard.png", fullPage: true });
    const table = await page.locator('figure[data-panel="fixed-point"] table').textContent();
    assert(table?.includes("chi1") && table.includes("ordered"), `fixed-point table: ${table}`);

    // A second viewer, opened after the run, sees the same run from the hub's history.
    const second = await browser.newPage();
    await second.goto(base + "/");
    await second.waitForFunction(
      () => document.querySelectorAll('figure[data-panel="cmap"] svg circle').length >= 13,
      null,
      { timeout: WAIT_MS },
    );
    assert(errors.length === 0, `page errors: ${errors.join("; ")}`);
  },
);

browserTest(
  "dashboard: the phase diagram's heatmap fills in cell by cell with the critical line over it",
  async (browser, base) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await page.goto(base + "/");
    await page.waitForFunction(
      () => document.querySelector("#pipeline option[value=phase-diagram]") !== null,
      null,
      { timeout: WAIT_MS },
    );
    await page.selectOption("#pipeline", "phase-diagram");
    await page.fill("input[name=grid]", "40");
    await page.click("#start");
    // 40 × 40 cells drawn as rects, and the critical line as a path.
    await page.waitForFunction(
      () => document.querySelectorAll('figure[data-panel="phase"] svg rect').length >= 1600,
      null,
      { timeout: WAIT_MS },
    );
    // Plot sets a mark's stroke on its group.
    const line = await page.locator('figure[data-panel="phase"] svg g[stroke="#d62728"] path')
      .count();
    assert(line >= 1, "critical line drawn");
    await page.selectOption('figure[data-panel="phase"] select.fill', "chi1");
    await page.waitForFunction(() =>
      document.querySelector('figure[data-panel="phase"]')?.textContent?.includes("chi1")
    );
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/phase-diagram.png" });
  },
);

browserTest(
  "dashboard: loss-landscape draws critical points over the theory curve, spectra and the optimizers",
  async (browser, base) => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(base + "/");
    await page.waitForFunction(
      () => document.querySelector("#pipeline option[value=loss-landscape]") !== null,
      null,
      { timeout: WAIT_MS },
    );
    await page.selectOption("#pipeline", "loss-landscape");
    // the small memorisation net of tests/loss_landscape_test.ts: seconds, not minutes
    await page.selectOption("select[name=task]", "memorize");
    for (
      const [name, value] of Object.entries({
        samples: "12",
        inputs: "3",
        outputs: "2",
        hidden: "3",
        critical_points: "6",
        grad_tol: "1e-8",
        max_iterations: "200",
        sgd_steps: "40",
        batch: "4",
        newton_steps: "5",
        krylov: "10",
      })
    ) await page.fill(`input[name=${name}]`, value);
    await page.click("#start");
    await page.waitForFunction(
      () => document.querySelector("#run-info")?.textContent?.includes(" ok"),
      null,
      { timeout: WAIT_MS },
    );
    const dots = await page.locator('figure[data-panel="index-error"] svg circle').count();
    assert(dots >= 1, "critical points drawn");
    const theory = await page.locator('figure[data-panel="index-error"] svg path').count();
    assert(theory >= 1, "theory curve drawn");
    const bars = await page.locator('figure[data-panel="spectra"] svg rect').count();
    assert(bars >= 10, `spectrum bars: ${bars}`);
    const curves = await page.locator('figure[data-panel="optimizers"] svg path').count();
    assert(curves >= 4, `optimizer curves: ${curves}`);
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/loss-landscape.png", fullPage: true });
    assert(errors.length === 0, `page errors: ${errors.join("; ")}`);
  },
);
