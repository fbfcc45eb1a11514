/**
 * The dashboard in a real browser (headless Chromium from Debian, driven by
 * playwright-core): it opens, starts a run from the generated controls, and
 * the q_l panel fills with simulation points; a second window sees the same run.
 */
import { assert, assertEquals } from "./assert.ts";
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

type Page = Awaited<ReturnType<Browser["newPage"]>>;

/**
 * Open the dashboard, choose `pipeline`, set its generated controls (inputs and
 * selects alike) and start the run. Page errors and failed requests are collected for the
 * test to check.
 */
async function startFromControls(
  browser: Browser,
  base: string,
  pipeline: string,
  fields: Record<string, string>,
  height = 900,
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // every resource the page asks for exists (a 404 in the console is a bug a speaker sees)
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(base + "/");
  await page.waitForFunction(
    (id) => document.querySelector(`#pipeline option[value=${id}]`) !== null,
    pipeline,
    { timeout: WAIT_MS },
  );
  await page.selectOption("#pipeline", pipeline);
  for (const [name, value] of Object.entries(fields)) {
    const control = page.locator(`#params [name=${name}]`);
    if (await control.evaluate((e) => e.tagName === "SELECT")) await control.selectOption(value);
    else await control.fill(value);
  }
  await page.click("#start");
  return { page, errors };
}

/** Wait until the run on screen has finished ok. */
function runFinished(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => document.querySelector("#run-info")?.textContent?.includes(" ok"),
    null,
    { timeout: WAIT_MS },
  );
}

browserTest(
  "dashboard: starting a run from the controls fills the q_l panel with theory and simulation; a second window sees it",
  async (browser, base) => {
    // A small run, so the test is quick; controls are generated from the schema.
    const { page, errors } = await startFromControls(browser, base, "signal-propagation", {
      depth: "12",
      width: "300",
      draws: "2",
    });
    await page.waitForFunction(
      () => document.querySelectorAll('figure[data-panel="qmap"] svg circle').length >= 13,
      null,
      { timeout: WAIT_MS },
    );
    const lines = await page.locator('figure[data-panel="qmap"] svg path').count();
    assert(lines >= 1, "the theory line is drawn");
    await runFinished(page);
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/dashboard.png", fullPage: true });
    const table = await page.locator('figure[data-panel="fixed-point"] table').textContent();
    // keys in the stream's notation (χ1, not chi1: issue #29)
    assert(table?.includes("χ1") && table.includes("ordered"), `fixed-point table: ${table}`);

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
    const { page } = await startFromControls(browser, base, "phase-diagram", { grid: "40" }, 800);
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
    // the legend now names χ1, in the stream's notation
    await page.waitForFunction(() =>
      document.querySelector('figure[data-panel="phase"] svg')?.textContent?.includes("χ1")
    );
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/phase-diagram.png" });
  },
);

browserTest(
  "dashboard: loss-landscape draws critical points over the theory curve, spectra and the optimizers",
  async (browser, base) => {
    // the small memorisation net of tests/loss_landscape_test.ts: seconds, not minutes
    const { page, errors } = await startFromControls(browser, base, "loss-landscape", {
      task: "memorize",
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
    }, 1000);
    await runFinished(page);
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

browserTest(
  "dashboard: diffusion's particles animate through t, forward and reverse side by side, beside K and the entropy",
  async (browser, base) => {
    // a short training: the panels, not the fit, are under test here
    const { page, errors } = await startFromControls(browser, base, "diffusion", {
      train_steps: "60",
      evals: "3",
      particles: "150",
      train_size: "500",
      test_size: "100",
    }, 1000);
    await runFinished(page);
    const particles = 'figure[data-panel="particles"]';
    // the caption names the frame; within a few frames it has shown more than one t
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 3; i++) {
      const caption = await page.locator(`${particles} figcaption`).textContent();
      const t = caption?.match(/t = (\d+)/)?.[1];
      if (t) seen.add(t);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert(seen.size >= 3, `frames seen: ${[...seen]}`);
    // side by side: one facet per direction, each with its particles (150 per direction)
    const dots = await page.locator(`${particles} svg circle`).count();
    assertEquals(dots, 450);
    // Plot labels the facets along an fx axis: forward, the ideal reverse, the model's
    const facets = await page.locator(`${particles} svg g[aria-label="fx-axis tick label"] text`)
      .allTextContents();
    assertEquals(facets, ["forward", "ideal", "reverse"]);
    assert(await page.locator('figure[data-panel="bound"] svg path').count() >= 1, "K drawn");
    // beside K, dashed: the paper's value, the schedule's limit and its Gaussian ceiling
    assertEquals(
      await page.locator('figure[data-panel="bound"] svg [stroke-dasharray="6 4"] path').count(),
      3,
    );
    // each reverse step's cost: the network's line and the ideal kernels' dashed one
    const perStep = 'figure[data-panel="kl-by-step"] svg';
    assertEquals(await page.locator(`${perStep} [stroke-dasharray="6 4"] path`).count(), 1);
    assert(await page.locator(`${perStep} path`).count() >= 2, "per-step KL drawn");
    assert(
      await page.locator('figure[data-panel="entropy"] svg path').count() >= 2,
      "entropy curves",
    );
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/diffusion.png", fullPage: true });
    assertEquals(errors, []);
  },
);

browserTest(
  "dashboard: the great circle turns and folds through the layers in 3-D beside its length and curvature",
  async (browser, base) => {
    const { page, errors } = await startFromControls(browser, base, "great-circle", {
      width: "200",
      depth: "8",
      points: "120",
    }, 1000);
    await runFinished(page);
    const proj = 'figure[data-panel="projection"]';
    // the caption names the layer on screen; within a few frames it has shown several, and
    // the drawn curve (one path whose colour runs along θ) changes as the view turns
    const seen = new Set<string>();
    const shapes = new Set<string>();
    for (let i = 0; i < 40 && (seen.size < 3 || shapes.size < 3); i++) {
      const caption = await page.locator(`${proj} figcaption`).textContent();
      const layer = caption?.match(/layer = (\d+)/)?.[1];
      if (layer) seen.add(layer);
      const d = await page.locator(`${proj} svg path`).evaluateAll((ps) =>
        ps.map((p) => p.getAttribute("d") ?? "").join("").slice(0, 200)
      );
      shapes.add(d);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert(seen.size >= 3, `layers seen: ${[...seen]}`);
    assert(shapes.size >= 3, "the 3-D view moves");
    // 120 points closed into one curve: Plot draws a varying-colour line as segments
    assert(await page.locator(`${proj} svg path`).count() >= 100, "the curve is drawn");
    for (const panel of ["length", "curvature"]) {
      const fig = `figure[data-panel="${panel}"] svg`;
      assertEquals(
        await page.locator(`${fig} circle`).count(),
        9,
        `${panel}: layers 0…8 simulated`,
      );
      assert(await page.locator(`${fig} path`).count() >= 1, `${panel}: theory line`);
    }
    Deno.mkdirSync("tests/artifacts", { recursive: true });
    await page.screenshot({ path: "tests/artifacts/great-circle.png", fullPage: true });
    assertEquals(errors, []);
  },
);

browserTest(
  "dashboard: the trainability map draws every cell with 6ξ_c and a dashed 3ξ_c over it",
  async (browser, base) => {
    const { page, errors } = await startFromControls(browser, base, "trainability", {
      sigma_w2_points: "5",
      depth_points: "5",
      depth_max: "30",
      steps: "5",
      width: "16",
    }, 1000);
    await runFinished(page);
    const map = 'figure[data-panel="map"] svg';
    // 25 measured cells, each a rect (grey only where a net diverged)
    const rects = await page.locator(`${map} rect`).count();
    assert(rects >= 25, `${rects} cells`);
    // the 6ξ_c line and the dashed 3ξ_c, each a white casing under a red stroke
    assert(await page.locator(`${map} path`).count() >= 4, "depth-scale curves drawn");
    assert(await page.locator(`${map} [stroke-dasharray="6 4"]`).count() >= 1, "3ξ_c dashed");
    assertEquals(errors, []);
  },
);
