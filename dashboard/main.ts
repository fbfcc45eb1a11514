/**
 * The live dashboard: one EventSource for every run, a run picker, controls
 * generated from each pipeline's params schema, and one panel per stream,
 * redrawn at most ten times a second.
 *
 * With a talk (`watch [talk]`), the page with the presenter token drives it:
 * ←/→ change slides, the controls re-run the slide; pages without the token are
 * the audience's, follow the presenter's slide and have no controls. The
 * address says what is on screen (#slide=3, or #run=<id>), so a link shows it.
 */
import type { PipelineDescription } from "../src/server/describe.ts";
import type { PanelSpec } from "../src/runtime/pipeline.ts";
import { formValues, type JsonSchema, paramsForm } from "./controls.ts";
import { downloadPng, downloadSvg } from "./export.ts";
import { genericPanels } from "./generic.ts";
import { heatmapPanel } from "./panels/heatmap.ts";
import { frameValue, seriesPanel } from "./panels/series.ts";
import { histogramPanel } from "./panels/histogram.ts";
import { tablePanel } from "./panels/table.ts";
import { type Row, Store } from "./store.ts";

const REDRAW_MS = 100; // at most ten redraws a second, however fast rows arrive
/** one frame of an animated panel (a diffusion's particles through t) */
const FRAME_MS = 700;
/** whether the panels on screen include an animated one (then redraw every frame) */
let animating = false;
setInterval(() => animating && scheduleRedraw(), FRAME_MS);

interface TalkInfo {
  talk: {
    id: string;
    title: string;
    slides: {
      title: string;
      pipeline: string;
      params: Record<string, number | string>;
      panels: string[];
      notes: string;
    }[];
  };
  slide: number;
  runs: (string | null)[];
  offline: boolean;
}

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;
const store = new Store();
const token = new URLSearchParams(location.search).get("token");
/** whether this page may control runs: it has the token, or the server needs none */
let presenter = false;
let pipelines = new Map<string, PipelineDescription>();
let selected: string | null = null;
let follow = true;
const heatFill = new Map<string, string>();
/** runs listed by the server that this page has no rows of yet (recorded ones) */
const known = new Map<string, { pipeline: string; status: string }>();
const loading = new Set<string>();

// --- the talk: which slide this page shows, and whether it follows the presenter ---
let talk: TalkInfo | null = null;
let shownSlide: number | null = null;
let followTalk = true;

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

/** The address says what is on screen: a slide of the talk, or one run. */
function writeHash() {
  const h = shownSlide !== null ? `#slide=${shownSlide + 1}` : selected ? `#run=${selected}` : "";
  if (location.hash !== h) {
    history.replaceState(null, "", `${location.pathname}${location.search}${h}`);
  }
}

function redrawPicker() {
  const picker = $<HTMLSelectElement>("#run-picker");
  const ids = [...new Set([...store.runs.keys(), ...known.keys()])].sort().reverse();
  const info = (id: string) => {
    const v = store.runs.get(id);
    return v ? { pipeline: v.pipeline, status: v.status } : known.get(id)!;
  };
  const want = ids.map((id) => `${id}|${info(id).status}`).join(",");
  if (picker.dataset.state !== want) {
    picker.replaceChildren(...ids.map((id) => {
      const v = info(id);
      return new Option(`${v.pipeline} · ${id.slice(9, 15)} · ${v.status}`, id);
    }));
    picker.dataset.state = want;
  }
  if (selected) picker.value = selected;
}

/** Fetch the full log of a run this page has no meta for (joined late, or recorded). */
async function ensureLoaded(run: string) {
  if (loading.has(run) || store.runs.get(run)?.meta) return;
  loading.add(run);
  try {
    const res = await fetch(`/api/runs/${encodeURIComponent(run)}/events.ndjson`);
    if (!res.ok) return;
    const rows = (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);
    store.loadLog(run, rows);
    scheduleRedraw();
  } finally {
    loading.delete(run);
  }
}

function panelsFor(pipeline: string, streams: ReadonlyMap<string, readonly Row[]>): PanelSpec[] {
  const def = pipelines.get(pipeline);
  const all = def ? (def.panels as PanelSpec[]) : genericPanels(streams);
  const slide = shownSlide !== null ? talk?.talk.slides[shownSlide] : undefined;
  if (!slide || slide.pipeline !== pipeline) return all;
  return slide.panels.map((id) => all.find((p) => p.id === id)).filter((p) => p !== undefined);
}

function redrawTalk() {
  const nav = $("#talk");
  if (!talk) return void (nav.hidden = true);
  nav.hidden = false;
  const n = talk.talk.slides.length;
  const i = shownSlide ?? talk.slide;
  const slide = talk.talk.slides[i];
  $("#slide-label").textContent = `${i + 1} / ${n} · ${slide.title}`;
  $("#notes").textContent = shownSlide !== null ? slide.notes : "";
}

function exportButtons(caption: HTMLElement, fig: HTMLElement, name: string) {
  for (const kind of ["PNG", "SVG"] as const) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "export";
    b.textContent = kind;
    b.title = `download this panel as ${kind}`;
    b.onclick = () => {
      // the chart is the largest SVG (a legend's swatches are small ones beside it)
      const svg = [...fig.querySelectorAll("svg")].sort((a, b) =>
        b.clientWidth * b.clientHeight - a.clientWidth * a.clientHeight
      )[0] ?? null;
      if (!svg) {
        return setStatus("this panel has no chart to export", true);
      }
      if (kind === "SVG") {
        downloadSvg(svg, name);
      } else {downloadPng(svg, name).catch((e) =>
          setStatus(String(e), true)
        );}
    };
    caption.append(b);
  }
}

function redraw() {
  animating = false;
  if (shownSlide !== null && talk) selected = talk.runs[shownSlide] ?? null;
  else if (follow) selected = store.latest();
  redrawPicker();
  redrawTalk();
  writeHash();
  const view = selected ? store.runs.get(selected) : undefined;
  const main = $("#panels");
  if (selected && !view?.meta) void ensureLoaded(selected);
  if (!view) {
    main.replaceChildren();
    $("#run-export").replaceChildren();
    $("#run-info").textContent = shownSlide !== null && talk
      ? (talk.offline
        ? "No recording of this slide in the log directory: rehearse it once without --offline."
        : "Waiting for this slide's run…")
      : selected
      ? `Loading run ${selected}…`
      : "No run yet: choose a pipeline and start one.";
    return;
  }
  const def = pipelines.get(view.pipeline);
  const meta = view.meta;
  $("#run-info").textContent = [
    def?.title ?? view.pipeline,
    `run ${view.run}`,
    view.status,
    meta?.backend ? `${meta.backend}${meta.adapter ? ` (${meta.adapter})` : ""}` : "",
    view.error ? `error: ${view.error.message}` : "",
  ].filter(Boolean).join(" · ");
  $("#run-info").classList.toggle("error", view.error !== null);
  const base = `/api/runs/${encodeURIComponent(view.run)}`;
  const link = (href: string, text: string) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.download = "";
    return a;
  };
  if ($("#run-export").dataset.run !== view.run) {
    $("#run-export").replaceChildren(
      "download run: ",
      link(`${base}/events.ndjson`, "NDJSON"),
      link(`${base}/rows.csv`, "CSV"),
    );
    $("#run-export").dataset.run = view.run;
  }
  const specs = panelsFor(view.pipeline, view.streams);
  const width = Math.max(
    320,
    Math.min(720, (main.clientWidth - 16) / (specs.length > 1 ? 2 : 1) - 60),
  );
  const figures = specs.map((spec) => {
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
    const frame = Math.floor(performance.now() / FRAME_MS);
    if (spec.kind === "series" && spec.animate) {
      animating = true;
      const value = frameValue(rows, spec.animate, frame);
      if (value !== undefined) caption.append(` · ${spec.animate} = ${value}`);
    }
    let body: Element;
    if (spec.kind === "series") {
      const overlay = spec.overlay ? view.streams.get(spec.overlay.stream) ?? [] : [];
      body = seriesPanel(rows, spec, { width, overlay, frame });
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
    if (spec.kind !== "table") {
      exportButtons(caption, fig, `${view.pipeline}-${spec.id}-${view.run}`);
    }
    fig.replaceChildren(caption, body);
    return fig;
  });
  main.replaceChildren(...figures);
}

// --- controls ---
function showControls(id: string, values?: Record<string, number | string>) {
  const def = pipelines.get(id);
  if (!def) return;
  $<HTMLSelectElement>("#pipeline").value = id;
  const form = paramsForm(def.params as unknown as JsonSchema);
  for (const [k, v] of Object.entries(values ?? {})) {
    const el = form.elements.namedItem(k) as HTMLInputElement | null;
    if (el) el.value = String(v);
  }
  form.onsubmit = (e) => {
    e.preventDefault();
    const params = formValues(form, def.params as unknown as JsonSchema);
    const slide = shownSlide !== null ? talk?.talk.slides[shownSlide] : undefined;
    // On a slide of its pipeline, the controls re-run the slide; elsewhere, a free run.
    if (slide && slide.pipeline === id) void goToSlide(shownSlide!, params);
    else startRun(id, params);
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
  shownSlide = null;
  follow = true;
  $<HTMLInputElement>("#follow").checked = true;
}

async function stopRun() {
  if (!selected) return;
  const res = await fetch(`/api/runs/${selected}`, { method: "DELETE", headers: authHeaders() });
  const body = await res.json();
  setStatus(res.ok ? `stopped ${selected}` : body.error, !res.ok);
}

async function replayRun() {
  if (!selected) return;
  const speed = Number($<HTMLSelectElement>("#replay-speed").value);
  const res = await fetch(`/api/runs/${selected}/replay`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ speed }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  setStatus(`replaying ${selected} at ×${speed} as ${body.run}`);
  shownSlide = null;
  follow = true;
  $<HTMLInputElement>("#follow").checked = true;
}

// --- the talk ---
/** Presenter: show slide `i` everywhere (its run starts if it has none; with params, anew). */
async function goToSlide(i: number, params?: Record<string, number | string>) {
  if (!talk || i < 0 || i >= talk.talk.slides.length) return;
  const res = await fetch("/api/talk/slide", {
    method: "PUT",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify(params ? { slide: i, params } : { slide: i }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  talk = body as TalkInfo;
  showSlide(talk.slide);
}

function showSlide(i: number) {
  if (!talk) return;
  shownSlide = i;
  const slide = talk.talk.slides[i];
  if (presenter) showControls(slide.pipeline, talk.talk.slides[i].params);
  redraw();
}

/** A `slide` message: the presenter moved, or a file changed and the slide re-ran. */
function onSlide(e: MessageEvent) {
  if (!talk) return;
  for (const line of String(e.data).split("\n")) {
    if (!line) continue;
    const row = JSON.parse(line) as {
      talk: string;
      slide: number;
      slide_run: string | null;
      reason: string;
    };
    if (row.talk !== talk.talk.id || row.reason === "talk changed") {
      void fetchTalk().then(() => followTalk && talk && showSlide(talk.slide));
      continue;
    }
    talk.runs[row.slide] = row.slide_run;
    talk.slide = row.slide;
    if (followTalk || presenter) showSlide(row.slide);
  }
}

async function fetchTalk(): Promise<void> {
  const res = await fetch("/api/talk");
  talk = res.ok ? (await res.json()) as TalkInfo : null;
}

function onKey(e: KeyboardEvent) {
  if (!talk || !presenter) return;
  const target = e.target as HTMLElement;
  if (["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
  const i = shownSlide ?? talk.slide;
  if (["ArrowRight", "PageDown", " "].includes(e.key)) void goToSlide(i + 1);
  else if (["ArrowLeft", "PageUp"].includes(e.key)) void goToSlide(i - 1);
  else return;
  e.preventDefault();
}

// --- the one EventSource ---
function connect(streamNames: Iterable<string>) {
  const es = new EventSource("/api/events");
  const listening = new Set<string>();
  const onRows = (e: MessageEvent) => {
    for (const run of store.addMessage(e.data)) {
      // an ingested run announces its streams in meta rows: listen to new ones
      const streams = store.runs.get(run)?.meta?.streams;
      if (typeof streams === "string") { for (const s of streams.split(",")) listen(s); }
    }
    scheduleRedraw();
  };
  const listen = (name: string) => {
    if (listening.has(name)) return;
    listening.add(name);
    es.addEventListener(name, onRows as EventListener);
  };
  for (const name of streamNames) listen(name);
  es.addEventListener("slide", onSlide as EventListener);
  es.onopen = () => setStatus("connected");
  es.onerror = () => setStatus("reconnecting…", true);
}

async function init() {
  const control = await fetch("/api/control", { headers: authHeaders() });
  presenter = control.ok && (await control.json()).control === true;
  document.body.classList.add(presenter ? "presenter" : "audience");
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
  $<HTMLButtonElement>("#replay").onclick = replayRun;
  $<HTMLButtonElement>("#prev").onclick = () => goToSlide((shownSlide ?? 0) - 1);
  $<HTMLButtonElement>("#next").onclick = () => goToSlide((shownSlide ?? -1) + 1);
  const runPicker = $<HTMLSelectElement>("#run-picker");
  runPicker.onchange = () => {
    selected = runPicker.value;
    follow = false;
    shownSlide = null;
    $<HTMLInputElement>("#follow").checked = false;
    redraw();
  };
  $<HTMLInputElement>("#follow").onchange = (e) => {
    follow = (e.target as HTMLInputElement).checked;
    if (follow) shownSlide = null;
    redraw();
  };
  $<HTMLInputElement>("#follow-talk").onchange = (e) => {
    followTalk = (e.target as HTMLInputElement).checked;
    if (followTalk && talk) showSlide(talk.slide);
  };
  document.addEventListener("keydown", onKey);

  // past runs the server knows of (recorded by earlier servers, too)
  const runsRes = await fetch("/api/runs");
  if (runsRes.ok) {
    for (
      const r of (await runsRes.json()).runs as { run: string; pipeline: string; status: string }[]
    ) {
      known.set(r.run, { pipeline: r.pipeline, status: r.status });
    }
  }
  await fetchTalk();
  const hash = new URLSearchParams(location.hash.slice(1));
  const hashRun = hash.get("run");
  const hashSlide = Number(hash.get("slide"));
  const names = new Set(["meta", "error", "done"]);
  for (const p of list) for (const s of Object.keys(p.streams)) names.add(s);
  connect(names);
  if (hashRun) {
    selected = hashRun;
    follow = false;
    $<HTMLInputElement>("#follow").checked = false;
  } else if (talk) {
    follow = false;
    $<HTMLInputElement>("#follow").checked = false;
    const want =
      Number.isInteger(hashSlide) && hashSlide >= 1 && hashSlide <= talk.talk.slides.length
        ? hashSlide - 1
        : talk.slide;
    if (hash.has("slide") && !presenter && want !== talk.slide) {
      // a link to another slide than the live one shows that slide, not the live one
      followTalk = false;
      $<HTMLInputElement>("#follow-talk").checked = false;
    }
    // The presenter's page puts the talk where its address says (or where it was);
    // a slide without a run yet starts it.
    if (presenter && (want !== talk.slide || talk.runs[want] === null)) await goToSlide(want);
    else showSlide(want);
  }
  if (!presenter && !talk) {
    $("#presenter-note").textContent = "Viewing. Starting runs may need the presenter link.";
  }
  redraw();
}

init().catch((e) => setStatus(`failed to start: ${e}`, true));
