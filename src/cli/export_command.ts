/**
 * `export [talk] [--out FILE]`: runs every slide of a talk with its own params (seeded,
 * so the same rows as in the talk), thins long series as the live view does, and writes
 * one self-contained HTML file that plays the talk offline (src/talk/export.ts).
 *
 * @module
 */
import { firstValueFrom, toArray } from "rxjs";
import { PIPELINES } from "../../pipelines/mod.ts";
import { type BackendChoice, BACKENDS } from "../compute/backend.ts";
import { runPipeline } from "../runtime/run.ts";
import { ensureBundle, localFiles, mnistPacked } from "../server/assets.ts";
import { LOCAL_PIPELINES, MNIST_READERS } from "../../pipelines/local.ts";
import { decimateSeries } from "../server/decimate.ts";
import { describePipeline } from "../server/describe.ts";
import { exportHtml, packRun } from "../talk/export.ts";
import { DEFAULT_TALK, talkPath } from "../talk/talk.ts";
import { flagPairs, loadTalkArg, UsageError } from "./args.ts";
import { suggestion } from "../params/did_you_mean.ts";

export async function exportCommand(args: string[]): Promise<number> {
  const [first, ...others] = args;
  const named = first !== undefined && !first.startsWith("--");
  const path = talkPath(named ? first : DEFAULT_TALK);
  let out: string | null = null;
  let backend: BackendChoice = "wasm";
  for (const [flag, value] of flagPairs(named ? others : args)) {
    if (flag === "--out") out = value;
    else if (flag === "--backend") {
      if (!(BACKENDS as readonly string[]).includes(value)) {
        throw new UsageError(`--backend must be one of ${BACKENDS.join(", ")}, got "${value}"`);
      }
      backend = value as BackendChoice;
    } else {
      const allowed = ["--out", "--backend"];
      throw new UsageError(
        `unknown flag ${flag}${suggestion(flag, allowed)}; allowed: ${allowed.join(", ")}`,
      );
    }
  }
  const talk = await loadTalkArg(path, PIPELINES);
  out ??= `${talk.id}.html`;
  const rows = [];
  for (const [i, slide] of talk.slides.entries()) {
    const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
    const runId = `export-${talk.id}-${i + 1}`;
    const t0 = performance.now();
    const slideRows = await firstValueFrom(
      runPipeline(def, { params: slide.params, runId, backend, logDir: null })
        .pipe(decimateSeries(def.streams), toArray()),
    );
    const done = slideRows.at(-1)!;
    if (done.status !== "ok") {
      const error = slideRows.find((r) => r.stream === "error");
      throw new Error(`slide ${i + 1} "${slide.title}" failed: ${error?.message ?? done.status}`);
    }
    console.error(
      `slide ${i + 1}/${talk.slides.length} "${slide.title}": ${slideRows.length} rows in ${
        ((performance.now() - t0) / 1000).toFixed(1)
      } s`,
    );
    rows.push(slideRows);
  }
  const used = [...new Set(talk.slides.map((s) => s.pipeline))];
  // a talk with a slide a browser can recompute carries the worker and its binaries (issue #33)
  const local = used.some((id) => LOCAL_PIPELINES.some((p) => p.id === id))
    ? await localFiles()
    : null;
  const root = new URL("../../dashboard/", import.meta.url);
  const html = exportHtml(
    await Deno.readTextFile(new URL("index.html", root)),
    await Deno.readTextFile(new URL("style.css", root)),
    await Deno.readTextFile(await ensureBundle()),
    {
      talk: {
        talk: {
          id: talk.id,
          title: talk.title,
          // the speaker's notes stay out of a file handed out
          slides: talk.slides.map(({ notes: _notes, ...s }) => s),
        },
        slide: 0,
        runs: rows.map((r) => r[0].run as string),
        offline: true,
      },
      pipelines: used.map((id) => describePipeline(PIPELINES.find((p) => p.id === id)!)),
      runs: rows.map(packRun),
      ...(local
        ? {
          local: {
            worker: await packed(new TextEncoder().encode(local.worker)),
            simdKernels: await packed(local.simdKernels),
            f64Kernels: await packed(local.f64Kernels),
            tfjsWasm: await packed(local.tfjsWasm),
            // the digits, only where a slide's pipeline can read them (gzipped already)
            ...(used.some((id) => id in MNIST_READERS)
              ? { mnist: encodeBase64(await mnistPacked()) }
              : {}),
          },
        }
        : {}),
    },
  );
  await Deno.writeTextFile(out, html);
  const size = new TextEncoder().encode(html).length;
  console.error(
    `wrote ${out}: ${
      (size / 2 ** 20).toFixed(1)
    } MiB, ${talk.slides.length} slides; open it in a browser (← →)`,
  );
  return 0;
}

/** Bytes gzipped, as base64 (the page inflates them: dashboard/local_run.ts). */
async function packed(bytes: Uint8Array): Promise<string> {
  const gz = new Uint8Array(
    await new Response(
      new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("gzip"),
      ),
    ).arrayBuffer(),
  );
  return encodeBase64(gz);
}

/** Bytes as base64 (btoa takes a binary string; built in chunks, as spread has an argument limit). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
