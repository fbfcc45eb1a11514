/**
 * "Run it here" (issue #33) in Chromium: a slide recomputed with the viewer's params in the
 * viewer's browser, in an exported talk opened from file:// with every other request refused,
 * and on a live audience page without a request to the server's API.
 */
import { assert, assertEquals } from "./assert.ts";
import { launch, NO_BROWSER, offline, type Page, WAIT_MS } from "./helpers/browser.ts";
import { phasesDrawn, startWatch } from "./helpers/test_talk.ts";
import { ensureBundle, mnistPacked } from "../src/server/assets.ts";
import { MNIST_READERS } from "../pipelines/local.ts";
import { workerFiles, workerRun } from "./helpers/local_worker.ts";
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { resolveRunParams } from "../src/runtime/run_params.ts";
import { type Row, runPipeline } from "../src/runtime/run.ts";
import { firstValueFrom, toArray } from "rxjs";
import { SLIDE_CLAIMS } from "./helpers/slide_claims.ts";

const SIGNALS = {
  title: "signals here",
  pipeline: "signal-propagation",
  params: { depth: 10, width: 200, draws: 1, pairs: 4 },
  panels: ["qmap", "fixed-point"],
};

/** The `fixed-point` row `deno task run` prints for these params (the CLI, another process). */
async function cliFixedPoint(params: Record<string, number>): Promise<Record<string, unknown>> {
  const flags = Object.entries(params).flatMap(([k, v]) => [`--${k.replaceAll("_", "-")}`, `${v}`]);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "run", "signal-propagation", ...flags],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert(out.success, "the CLI run");
  const rows = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  return rows.find((r) => r.stream === "fixed-point");
}

/** The fixed-point table's cells as drawn: name → text. */
async function drawnTable(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(
    await page.locator('figure[data-panel="fixed-point"] tr').evaluateAll((trs) =>
      trs.map((tr) => [tr.querySelector("th")!.textContent, tr.querySelector("td")!.textContent])
    ),
  );
}

Deno.test({
  name:
    "run it here: an exported one-slide talk recomputes σw² = 2.5 offline from file://, as the CLI does",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-" });
    const browser = await launch();
    try {
      const out = await exportTalk(dir, [SIGNALS]);
      // no MNIST in a talk whose slides never read it
      const local = (await exportedData(out)).local;
      assert(local?.worker && !local.mnist, "the worker, without the digits");
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const requests = await offline(page);
      await page.goto(`file://${out}`);
      // the recorded slide first: σw² = 1.5 (the default), ordered
      await page.waitForSelector('figure[data-panel="fixed-point"] td', { timeout: WAIT_MS });
      assertEquals((await drawnTable(page)).phase, "ordered");
      await page.click("#local summary"); // the controls unfold
      await page.fill('[data-param="sigma_w2"]', "2.5");
      const t0 = performance.now();
      await page.click('[data-action="run-local"]');
      await page.waitForFunction(
        () =>
          /run local-.* · ok/.test(document.querySelector("#run-info")?.textContent ?? "") &&
          document.querySelector('figure[data-panel="fixed-point"] td') !== null,
        null,
        { timeout: WAIT_MS },
      );
      console.log(
        `  the local run, click to done: ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      );
      // the panel draws what the CLI computes for the same params (the table's 5 digits)
      const cli = await cliFixedPoint({ ...SIGNALS.params, sigma_w2: 2.5 });
      const drawn = await drawnTable(page);
      assertEquals(drawn["q*"], (cli.q_star as number).toPrecision(5));
      assertEquals(drawn["c*"], (cli.c_star as number).toPrecision(5));
      assertEquals(drawn.phase, "chaotic");
      // what computed it, said honestly: this browser, float64 in plain TypeScript
      assert(
        /Computed in this browser/.test(await page.locator(".local-note").textContent() ?? ""),
      );
      // bad input: an error row naming the param, drawn as the run's error
      await page.fill('[data-param="sigma_w2"]', "-1");
      await page.click('[data-action="run-local"]');
      await page.waitForFunction(
        () => /sigma_w2/.test(document.querySelector("#run-info")?.textContent ?? ""),
        null,
        { timeout: WAIT_MS },
      );
      // back to the talk: the recorded run again
      await page.click('[data-action="follow-presenter"]');
      await page.waitForFunction(
        () => /run export-/.test(document.querySelector("#run-info")?.textContent ?? ""),
        null,
        { timeout: WAIT_MS },
      );
      assertEquals((await drawnTable(page)).phase, "ordered");
      assertEquals(requests, []);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** An isometry slide small enough to train in seconds, with its training panel shown. */
const ISOMETRY = {
  title: "isometry here",
  pipeline: "isometry",
  params: { depth: 4, width: 16, draws: 1 },
  panels: ["variance", "training"],
};

/** Until the page's local run has ended ok. */
function localRunOk(page: Page): Promise<unknown> {
  return page.waitForFunction(
    () => /run local-.* · ok/.test(document.querySelector("#run-info")?.textContent ?? ""),
    null,
    { timeout: WAIT_MS },
  );
}

/** Lines drawn in isometry's training panel: one a trained net. */
function trainingLines(page: Page): Promise<number> {
  return page.locator('figure[data-panel="training"] svg [aria-label="line"] path').count();
}

/** One export of `slides` with `deno task export`; the file's path. */
async function exportTalk(dir: string, slides: unknown[]): Promise<string> {
  await Deno.writeTextFile(`${dir}/talk.json`, JSON.stringify({ title: "t", slides }));
  const out = `${dir}/handout.html`;
  const cmd = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "export", `${dir}/talk.json`, "--out", out, "--backend", "cpu"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert(cmd.success, new TextDecoder().decode(cmd.stderr));
  return out;
}

/** The export's embedded data (src/talk/export.ts). */
async function exportedData(file: string): Promise<{ local?: Record<string, string> }> {
  const html = await Deno.readTextFile(file);
  const m = html.match(/<script id="statmech-export" type="application\/json">(.*?)<\/script>/s);
  assert(m, "the export's data");
  return JSON.parse(m[1]);
}

Deno.test({
  name:
    "run it here: an exported isometry slide trains on MNIST offline, the digits coming from the file",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-" });
    const browser = await launch();
    try {
      const out = await exportTalk(dir, [ISOMETRY]);
      // the digits are in the file because isometry can read them; the signal slide's has none
      assert((await exportedData(out)).local?.mnist, "the export carries the digits");
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const requests = await offline(page);
      await page.goto(`file://${out}`);
      await page.waitForSelector('figure[data-panel="variance"] svg', { timeout: WAIT_MS });
      await page.click("#local summary");
      await page.fill('[data-param="train_steps"]', "20");
      await page.click('[data-action="run-local"]');
      await localRunOk(page);
      // the four starts' held-out accuracy, one line each, trained in this browser
      assertEquals(await trainingLines(page), 4, "four nets trained");
      assert(
        /Computed in this browser/.test(await page.locator(".local-note").textContent() ?? ""),
      );
      assertEquals(requests, []);
      assertEquals(errors, []);
    } finally {
      await browser.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "run it here: on an audience page the run makes no API request and leaves the presenter's slide as it was",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-" });
    const { audience, presenter, server } = await startWatch(dir, "sesame");
    const browser = await launch();
    try {
      const errors: string[] = [];
      const lead = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      lead.on("pageerror", (e) => errors.push(`presenter: ${e}`));
      await lead.goto(presenter);
      await phasesDrawn(lead);
      assertEquals(
        await lead.locator('[data-action="run-local"]').count(),
        0,
        "not the presenter's",
      );
      const base = new URL(audience).origin;
      const talkBefore = await (await fetch(`${base}/api/talk`)).json();
      const runsBefore = (await (await fetch(`${base}/api/runs`)).json()).runs.length;

      const room = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      room.on("pageerror", (e) => errors.push(`audience: ${e}`));
      await room.goto(audience);
      await phasesDrawn(room);
      const api: string[] = [], fetched: string[] = [];
      room.on("request", (r) => {
        const path = new URL(r.url()).pathname;
        fetched.push(path);
        if (path.startsWith("/api/")) api.push(r.url());
      });
      // the phase diagram at 4 × 4 instead of the slide's 6 × 6: 16 cells, drawn here
      await room.click("#local summary");
      await room.fill('[data-param="grid"]', "4");
      await room.click('[data-action="run-local"]');
      await room.waitForFunction(
        () =>
          /run local-.* · ok/.test(document.querySelector("#run-info")?.textContent ?? "") &&
          document.querySelectorAll('figure[data-panel="phase"] svg rect').length >= 16,
        null,
        { timeout: WAIT_MS },
      );
      const cells = await room.locator('figure[data-panel="phase"] svg rect').count();
      assert(cells >= 16 && cells < 36, `a 4 × 4 map drawn, ${cells} rects`);
      assertEquals(api, [], "no request to the server's API");
      assert(fetched.includes("/local.js"), "the worker, as a static file");
      assert(!fetched.includes("/mnist.bin.gz"), "no digits for a run that reads none");
      // …which the server has for one that does, as a static file
      const digits = await fetch(`${base}/mnist.bin.gz`);
      assertEquals(digits.headers.get("content-type"), "application/gzip");
      assertEquals(new Uint8Array(await digits.arrayBuffer()), await mnistPacked());
      assertEquals(await (await fetch(`${base}/api/talk`)).json(), talkBefore);
      assertEquals((await (await fetch(`${base}/api/runs`)).json()).runs.length, runsBefore);
      // the presenter's page still shows the slide's own run
      assert(!/local-/.test(await lead.locator("#run-info").textContent() ?? ""));
      // following the presenter again puts the live slide back
      await room.click('[data-action="follow-presenter"]');
      await room.waitForFunction(
        () =>
          !/local-/.test(document.querySelector("#run-info")?.textContent ?? "") &&
          document.querySelectorAll('figure[data-panel="phase"] svg rect').length >= 36,
        null,
        { timeout: WAIT_MS },
      );
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.stop("SIGTERM");
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "run it here: on an audience page, a run that reads MNIST fetches the packed digits from the server as a static file",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-" });
    const talk = { title: "t", slides: [ISOMETRY] };
    const { audience, presenter, server } = await startWatch(dir, "sesame", talk);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      const fetched: string[] = [];
      page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
      // the presenter's page opens the talk (its first slide runs), then the room's
      const lead = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await lead.goto(presenter);
      await page.goto(audience);
      await page.waitForSelector('figure[data-panel="variance"] svg', { timeout: WAIT_MS });
      await page.click("#local summary");
      await page.fill('[data-param="train_steps"]', "10");
      const before = fetched.length;
      await page.click('[data-action="run-local"]');
      await localRunOk(page);
      assertEquals(await trainingLines(page), 4, "four nets trained here");
      const asked = fetched.slice(before);
      assert(asked.includes("/mnist.bin.gz"), `the digits fetched: ${asked.join(", ")}`);
      assertEquals(asked.filter((p) => p.startsWith("/api/")), [], "no API request");
      assertEquals(errors, []);
    } finally {
      await browser.close();
      await server.stop("SIGTERM");
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

/** The default talk's slides of local pipelines that run in a few seconds (the rest: README). */
const LIGHT_SLIDES = [1, 3, 7, 12, 13, 16, 17, 20];
/**
 * A run that reads MNIST (isometry's learning-speed comparison, kept small): the worker asks for
 * the digits, the page sends them packed, and the four nets train on tfjs-wasm in the browser.
 */
const TRAINS_ON_MNIST = {
  pipeline: "isometry",
  params: { depth: 4, width: 16, draws: 1, train_steps: 20 },
};
/**
 * Compared by their claim alone: singularities' trajectories pass near a Milnor attractor, where
 * they part from any rounding-level difference (Chromium's V8 and Deno's are different versions,
 * and their Math functions may round differently): 1.4e-2 apart at the end, both stalling.
 */
const SENSITIVE = new Set(["singularities"]);

Deno.test({
  name:
    "run it here: the browser's worker computes the CLI's rows on the default talk's light slides and on MNIST",
  ignore: NO_BROWSER,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await ensureBundle();
    const talk = await loadTalk("data/talks/default.json", PIPELINES);
    const files = await workerFiles();
    const dir = Deno.makeTempDirSync({ prefix: "statmech-local-" });
    await Deno.writeTextFile(`${dir}/blank.html`, "<!doctype html><title>blank</title>");
    const browser = await launch();
    try {
      const page = await browser.newPage();
      await page.goto(`file://${dir}/blank.html`);
      const cases = [
        ...LIGHT_SLIDES.map((n) => ({ label: `slide ${n}`, slide: talk.slides[n - 1] })),
        { label: "isometry on MNIST", slide: { ...TRAINS_ON_MNIST, title: "" } },
      ];
      for (const { label, slide } of cases) {
        const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
        // in Chromium: the worker as the page starts it
        const inBrowser = workerRun(page, files, slide.pipeline, slide.params);
        // in Deno: the same run as `deno task run` computes it (float64 on the kernel pool)
        const inDeno = firstValueFrom(
          runPipeline(def, {
            params: resolveRunParams(def, slide.params),
            runId: "deno-test",
            backend: "wasm",
            logDir: null,
          }).pipe(toArray()),
        );
        // both at once: Chromium is its own process
        const [{ rows: here, askedForMnist }, there] = await Promise.all([inBrowser, inDeno]);
        const done = here.find((r) => r.stream === "done");
        assertEquals(
          done?.status,
          "ok",
          `${label}: ${JSON.stringify(here.find((r) => r.stream === "error"))}`,
        );
        // the digits travel only to a run that reads them
        assertEquals(askedForMnist, MNIST_READERS[def.id]?.(slide.params) ?? false, label);
        const meta = here.find((r) => r.stream === "meta")!;
        assert(String(meta.versions).includes("browser"), "meta names the browser");
        assert(
          String(meta.compute).includes("float64: wasm-simd f64x2 × 1 thread"),
          `float64 on the kernels, one thread: ${meta.compute}`,
        );
        // what the audience sees: the slide's claim, shown by the browser's run
        SLIDE_CLAIMS[slide.title]?.check(here);
        if (SENSITIVE.has(def.id)) continue;
        const science = (rows: Row[]) =>
          rows.filter((r) => !["meta", "done", "progress"].includes(r.stream));
        const [a, b] = [science(here), science(there)];
        assertEquals(a.length, b.length, `${label}: rows`);
        // Both compute float64 on the f64x2 kernels (a job's bits never depend on the threads that
        // ran it), but Chromium's V8 and Deno's are different versions, whose Math functions may
        // round apart (1e-16), which iterative solvers may grow by a few orders; 1e-9 relative is
        // far under anything a panel draws.
        for (let i = 0; i < a.length; i++) {
          const { run: _r, ...x } = a[i], { run: _s, ...y } = b[i];
          assertEquals(Object.keys(x).sort(), Object.keys(y).sort(), `${label} row ${i}`);
          for (const [k, v] of Object.entries(x)) {
            const w = y[k];
            if (typeof v === "number" && typeof w === "number") {
              assert(
                Math.abs(v - w) <= 1e-9 * Math.max(1, Math.abs(w)),
                `${label} (${def.id}) ${x.stream} row ${i} ${k}: browser ${v}, Deno ${w}`,
              );
            } else assertEquals(v, w, `${label} ${x.stream} row ${i} ${k}`);
          }
        }
      }
    } finally {
      await browser.close();
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
