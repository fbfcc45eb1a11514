/**
 * "Run it here" (issue #33): on an audience page and in an exported talk (not on the projected
 * page), folded under one line, the shown slide's params as controls (inputs marked
 * `data-param`) and a button (`data-action="run-local"`)
 * that runs its pipeline in this browser, in a Web Worker (src/browser/local_worker.ts), and
 * draws the rows into the slide's panels. The presenter's slide and the server are untouched:
 * no /api request is made (a served page loads the worker and its three binaries as static files
 * on the first click, and the packed MNIST digits when the worker first asks for them; an
 * exported page has them inside). "Follow the presenter" puts the live slide back.
 *
 * Only pipelines/local.ts's pipelines get the button; the others' slides say where they are
 * computed.
 *
 * @module
 */
import { formValues, type JsonSchema, paramsForm } from "./controls.ts";
import { $, exported, setStatus, store, ui } from "./state.ts";
import type { Row } from "./store.ts";

/** tfjs-wasm's SIMD build, as the server serves it (src/server/assets.ts TFJS_WASM_FILE). */
const TFJS_WASM_FILE = "tfjs-backend-wasm-simd.wasm";

let worker: Worker | null = null;
let runs = 0;
/** what the block says when the worker's run ends */
let onEnd: () => void = () => {};
/** the running slide's note line */
let setNote: (text: string) => void = () => {};

/** Gzipped bytes inflated. */
async function inflated(gz: BlobPart): Promise<ArrayBuffer> {
  const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).arrayBuffer();
}

/** An export's packed file: base64 of gzip (src/cli/export_command.ts `packed`). */
function unpacked(base64: string): Promise<ArrayBuffer> {
  const bin = atob(base64);
  const gz = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) gz[i] = bin.charCodeAt(i);
  return inflated(gz);
}

async function fetched(path: string): Promise<Response> {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res;
}

/** The packed MNIST digits (src/linear/mnist_pack.ts), for the worker that asked for them. */
async function mnistDigits(): Promise<ArrayBuffer> {
  if (!exported) return await inflated(await (await fetched("/mnist.bin.gz")).arrayBuffer());
  if (exported.local?.mnist) return await unpacked(exported.local.mnist);
  throw new Error("this file was exported without the MNIST digits");
}

/** The worker, started once: from the export's embedded copy, or from the server's files. */
async function startWorker(onRows: () => void): Promise<Worker> {
  if (worker) return worker;
  let url: string, simd: ArrayBuffer, f64: ArrayBuffer, tfjs: ArrayBuffer;
  const local = exported?.local;
  if (local) {
    const code = await unpacked(local.worker);
    url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    [simd, f64, tfjs] = await Promise.all(
      [local.simdKernels, local.f64Kernels, local.tfjsWasm].map(unpacked),
    );
  } else {
    url = "/local.js";
    [simd, f64, tfjs] = await Promise.all(
      ["/simd_kernels.wasm", "/f64_kernels.wasm", `/${TFJS_WASM_FILE}`]
        .map(async (path) => await (await fetched(path)).arrayBuffer()),
    );
  }
  // classic, not a module worker: a file:// page may start only classic ones from a blob
  const w = new Worker(url);
  w.onmessage = (e) => {
    if (e.data.kind === "rows") {
      for (const row of e.data.rows as Row[]) store.add(row);
      onRows();
    } else if (e.data.kind === "end") onEnd();
    else if (e.data.kind === "need-mnist") {
      setNote("Loading the MNIST digits…");
      mnistDigits().then(
        (bytes) => {
          setNote("Running in this browser…");
          w.postMessage({ kind: "mnist", bytes }, [bytes]);
        },
        (err) => setNote(`Could not run here: ${(err as Error).message}`),
      );
    }
  };
  w.onerror = (e) => setStatus(`local run failed: ${e.message}`, true);
  w.postMessage({ kind: "init", simdKernels: simd, f64Kernels: f64, tfjsWasm: tfjs }, [
    simd,
    f64,
    tfjs,
  ]);
  return worker = w;
}

/** The shown slide's local-run block: controls and button, or where it is computed. */
export function showLocal(onRows: () => void) {
  const box = $("#local");
  const talk = ui.talk;
  const i = ui.shownSlide;
  if (!box || ui.presenter || !talk || i === null) return void (box && (box.hidden = true));
  const slide = talk.talk.slides[i];
  const def = ui.pipelines.get(slide.pipeline);
  box.hidden = false;
  if (box.dataset.slide === String(i)) return; // already built for this slide
  box.dataset.slide = String(i);
  const note = document.createElement("p");
  note.className = "local-note";
  if (!def?.local) {
    note.textContent = "Computed on the speaker's machine.";
    return void box.replaceChildren(note);
  }
  const schema = def.params as unknown as JsonSchema;
  const form = paramsForm(schema);
  for (const el of form.querySelectorAll<HTMLInputElement>("input, select")) {
    el.dataset.param = el.name;
    const v = slide.params[el.name];
    if (v !== undefined) el.value = String(v);
  }
  const run = document.createElement("button");
  run.type = "button";
  run.dataset.action = "run-local";
  run.textContent = "Run it here";
  run.title = "recompute this slide with these params in your browser (the talk goes on)";
  const follow = document.createElement("button");
  follow.type = "button";
  follow.dataset.action = "follow-presenter";
  follow.textContent = "Follow the presenter";
  note.textContent = "Change a param and run it in this browser.";
  run.onclick = async () => {
    const id = `local-${Date.now()}-${++runs}`;
    setNote = (text) => note.textContent = text;
    setNote("Running in this browser…");
    try {
      const w = await startWorker(onRows);
      ui.local = { slide: i, run: id };
      const t0 = performance.now();
      onEnd = () => {
        const status = store.runs.get(id)?.status ?? "ended";
        note.textContent = status === "ok"
          ? `Computed in this browser in ${((performance.now() - t0) / 1000).toFixed(1)} s.`
          : `The run in this browser ended: ${status}.`;
      };
      ui.followTalk = false;
      w.postMessage({
        kind: "run",
        run: id,
        pipeline: slide.pipeline,
        params: formValues(form, schema),
      });
      onRows();
    } catch (e) {
      note.textContent = `Could not run here: ${(e as Error).message}`;
    }
  };
  follow.onclick = () => {
    worker?.postMessage({ kind: "stop" });
    onEnd = () => {};
    ui.local = null;
    ui.followTalk = true;
    const followTalk = $<HTMLInputElement>("#follow-talk");
    if (followTalk) followTalk.checked = true;
    note.textContent = "Change a param and run it in this browser.";
    localHooks.onFollow();
  };
  // folded to one line until opened: the slide keeps its height on a projector-sized screen
  const fold = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "Run it here, with your own params";
  const buttons = document.createElement("div");
  buttons.className = "buttons";
  buttons.append(run, follow);
  fold.append(summary, form, buttons);
  box.replaceChildren(fold, note);
}

/** Set by main.ts: what "follow the presenter" does (show the live slide). */
export const localHooks = { onFollow: () => {} };
