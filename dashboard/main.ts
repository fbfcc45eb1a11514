/**
 * The live dashboard: one EventSource for every run, a run picker, controls
 * generated from each pipeline's params schema, and one panel per stream,
 * redrawn at most ten times a second.
 */
import type { PipelineDescription } from "../src/server/describe.ts";
import { formValues, type JsonSchema, paramsForm } from "./controls.ts";
import { heatmapPanel } from "./panels/heatmap.ts";
import { seriesPanel } from "./panels/series.ts";
import { histogramPanel } from "./panels/histogram.ts";
import { tablePanel } from "./panels/table.ts";
import { Store } from "./store.ts";

const REDRAW_MS = 100; // at most ten redraws a second, however fast rows arrive

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const store = new Store();
const token = new URLSearchParams(location.search).get("token");
let pipelines = new Map<string, PipelineDescription>();
let selected: string | null = null;
let follow = true;
const heatFill = new Map<string, string>();

function authHeaders(): HeadersInit {
  return token ? { authorization: `Bearer ${token}` } : {};
}

function setStatus(text: string, isError = false) {
  const el = $("#status");
  el.textContent = text;
  el.classList.toggle("error", isError);
}

// --- redraws, throttled (trailing edge, so the last rows are always drawn) ---
let pending = false;
function scheduleRedraw() {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    redraw();
  }, REDRAW_MS);
}

function redrawPicker() {
  const picker = $<HTMLSelectElement>("#run-picker");
  const ids = [...store.runs.keys()].sort().reverse();
  const want = ids.map((id) => `${id}|${store.runs.get(id)!.status}`).join(",");
  if (picker.dataset.state !== want) {
    picker.replaceChildren(...ids.map((id) => {
      const v = store.runs.get(id)!;
      const o = document.createElement("option");
      o.value = id;
      o.textContent = `${v.pipeline} · ${id.slice(9, 15)} · ${v.status}`;
      return o;
    }));
    picker.dataset.state = want;
  }
  if (selected) picker.value = selected;
}

function redraw() {
  if (follow) selected = store.latest();
  redrawPicker();
  const view = selected ? store.runs.get(selected) : undefined;
  const main = $("#panels");
  if (!view) {
    main.replaceChildren();
    $("#run-info").textContent = "No run yet: choose a pipeline and start one.";
    return;
  }
  const def = pipelines.get(view.pipeline);
  const meta = view.meta;
  $("#run-info").textContent = [
    def?.title ?? view.pipeline,
    `run ${view.run}`,
    view.status,
    meta ? `${meta.backend}${meta.adapter ? ` (${meta.adapter})` : ""}` : "",
    view.error ? `error: ${view.error.message}` : "",
  ].filter(Boolean).join(" · ");
  $("#run-info").classList.toggle("error", view.error !== null);
  if (!def) return;
  const width = Math.max(
    320,
    Math.min(720, (main.clientWidth - 16) / (def.panels.length > 1 ? 2 : 1) - 60),
  );
  const figures = def.panels.map((spec) => {
    let fig = main.querySelector<HTMLElement>(`figure[data-panel="${spec.id}"]`);
    if (!fig || fig.dataset.run !== view.run) {
      fig = document.createElement("figure");
      fig.dataset.panel = spec.id;
      fig.dataset.stream = spec.stream;
      fig.dataset.run = view.run;
    }
    const rows = view.streams.get(spec.stream) ?? [];
    const caption = document.createElement("figcaption");
    caption.textContent = spec.title;
    let body: Element;
    if (spec.kind === "series") {
      const overlay = spec.overlay ? view.streams.get(spec.overlay.stream) ?? [] : [];
      body = seriesPanel(rows, spec, { width, overlay });
    } else if (spec.kind === "table") body = tablePanel(rows, spec);
    else if (spec.kind === "histogram") body = histogramPanel(rows, spec, { width });
    else {
      const fill = heatFill.get(spec.id) ?? spec.fill[0];
      const choose = document.createElement("select");
      choose.className = "fill";
      for (const f of spec.fill) choose.append(new Option(f, f, false, f === fill));
      choose.onchange = () => {
        heatFill.set(spec.id, choose.value);
        redraw();
      };
      caption.append(" colour by ", choose);
      body = heatmapPanel(
        rows,
        spec.overlay ? view.streams.get(spec.overlay.stream) ?? [] : [],
        spec,
        { width: width * 1.2, fill },
      );
    }
    fig.replaceChildren(caption, body);
    return fig;
  });
  main.replaceChildren(...figures);
}

// --- controls ---
function showControls(id: string) {
  const def = pipelines.get(id);
  if (!def) return;
  const form = paramsForm(def.params as unknown as JsonSchema);
  form.onsubmit = (e) => {
    e.preventDefault();
    startRun(id, formValues(form, def.params as unknown as JsonSchema));
  };
  $("#pipeline-cite").textContent = `${def.description} — ${def.cite}`;
  $("#params").replaceChildren(form);
}

async function startRun(pipeline: string, params: Record<string, number | string>) {
  const res = await fetch("/api/runs", {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ pipeline, params }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  setStatus(`started ${body.run}`);
  follow = true;
  $<HTMLInputElement>("#follow").checked = true;
}

async function stopRun() {
  if (!selected) return;
  const res = await fetch(`/api/runs/${selected}`, { method: "DELETE", headers: authHeaders() });
  const body = await res.json();
  setStatus(res.ok ? `stopped ${selected}` : body.error, !res.ok);
}

// --- the one EventSource ---
function connect(streamNames: Iterable<string>) {
  const es = new EventSource("/api/events");
  const onRows = (e: MessageEvent) => {
    store.addMessage(e.data);
    scheduleRedraw();
  };
  for (const name of streamNames) es.addEventListener(name, onRows as EventListener);
  es.onopen = () => setStatus("connected");
  es.onerror = () => setStatus("reconnecting…", true);
}

async function init() {
  const res = await fetch("/api/pipelines");
  const { pipelines: list } = (await res.json()) as { pipelines: PipelineDescription[] };
  pipelines = new Map(list.map((p) => [p.id, p]));
  const pick = $<HTMLSelectElement>("#pipeline");
  for (const p of list) pick.append(new Option(p.title, p.id));
  pick.onchange = () => showControls(pick.value);
  showControls(list[0].id);
  $<HTMLButtonElement>("#start").onclick = () =>
    ($("#params form") as HTMLFormElement).requestSubmit();
  $<HTMLButtonElement>("#stop").onclick = stopRun;
  if (!token) {
    $("#presenter-note").textContent = "Viewing. Starting runs may need the presenter link.";
  }
  const runPicker = $<HTMLSelectElement>("#run-picker");
  runPicker.onchange = () => {
    selected = runPicker.value;
    follow = false;
    $<HTMLInputElement>("#follow").checked = false;
    redraw();
  };
  $<HTMLInputElement>("#follow").onchange = (e) => {
    follow = (e.target as HTMLInputElement).checked;
    redraw();
  };
  const hashRun = new URLSearchParams(location.hash.slice(1)).get("run");
  if (hashRun) {
    selected = hashRun;
    follow = false;
    $<HTMLInputElement>("#follow").checked = false;
  }
  const names = new Set(["meta", "error", "done"]);
  for (const p of list) for (const s of Object.keys(p.streams)) names.add(s);
  connect(names);
  redraw();
}

init().catch((e) => setStatus(`failed to start: ${e}`, true));
