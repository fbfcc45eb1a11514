/**
 * Issue #33's targets, measured: the default talk's first slide (signal-propagation, width 500,
 * depth 30, 2 draws) exported alone and recomputed in headless Chromium from file:// by "Run it
 * here" — seconds from the click to the first local row drawn and to the run's `done` (target
 * ≤ 2 s to the first result) — and the export's size with and without what local runs need
 * (target ≤ 2× without).
 *
 *   deno run -A bench/local_run.ts [--repeats 5]
 */
import { launch, offline } from "../tests/helpers/browser.ts";
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";

const repeats = Number(Deno.args[Deno.args.indexOf("--repeats") + 1] || 5);
const talk = await loadTalk("data/talks/default.json", PIPELINES);
const first = talk.slides[0];
const dir = Deno.makeTempDirSync({ prefix: "statmech-local-bench-" });
const file = `${dir}/talk.json`;
await Deno.writeTextFile(
  file,
  JSON.stringify({ title: "bench", slides: [{ ...first, notes: undefined }] }),
);
const out = `${dir}/one.html`;
const cmd = await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "main.ts", "export", file, "--out", out],
  stdout: "null",
  stderr: "null",
}).output();
if (!cmd.success) throw new Error("export failed");
const html = await Deno.readTextFile(out);
const data = html.match(/<script id="statmech-export" type="application\/json">(.*?)<\/script>/s)!;
const local = JSON.stringify(JSON.parse(data[1]).local ?? {}).length;
const size = new TextEncoder().encode(html).length;
console.log(
  `export of "${first.title}": ${(size / 2 ** 20).toFixed(2)} MiB, of which local runs ${
    (local / 2 ** 20).toFixed(2)
  } MiB; without them ${((size - local) / 2 ** 20).toFixed(2)} MiB (×${
    (size / (size - local)).toFixed(2)
  })`,
);

const browser = await launch();
const firsts: number[] = [], dones: number[] = [];
for (let r = 0; r < repeats; r++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await offline(page);
  await page.goto(`file://${out}`);
  await page.click("#local summary");
  const t0 = performance.now();
  await page.click('[data-action="run-local"]');
  await page.waitForFunction(() =>
    /run local-/.test(document.querySelector("#run-info")?.textContent ?? "") &&
    document.querySelector('figure[data-panel="qmap"] svg circle') !== null
  );
  firsts.push((performance.now() - t0) / 1000);
  await page.waitForFunction(() =>
    /run local-.* · ok/.test(document.querySelector("#run-info")?.textContent ?? "")
  );
  dones.push((performance.now() - t0) / 1000);
  await page.close();
}
await browser.close();
Deno.removeSync(dir, { recursive: true });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `run it here, click → first points drawn: median ${median(firsts).toFixed(2)} s (${
    firsts.map((s) => s.toFixed(2)).join(", ")
  }; target ≤ 2 s); → done: median ${median(dones).toFixed(2)} s`,
);
