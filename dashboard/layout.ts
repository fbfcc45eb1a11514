/**
 * What is on screen, redrawn at most ten times a second: the run's header and export
 * links, the talk's slide label and notes, and one figure per panel (the slide's
 * panels, or all of the pipeline's, or generic ones for an ingested run).
 *
 * @module
 */
import { showLocal } from "./local_run.ts";
import type { PanelSpec } from "../src/runtime/pipeline.ts";
import { downloadPng, downloadSvg } from "./export.ts";
import { genericPanels } from "./generic.ts";
import { heatmapPanel } from "./panels/heatmap.ts";
import { frameValue, seriesPanel } from "./panels/series.ts";
import { histogramPanel } from "./panels/histogram.ts";
import { projectionPanel } from "./panels/projection.ts";
import { tablePanel } from "./panels/table.ts";
import { ensureLoaded } from "./connection.ts";
import { redrawPicker } from "./run_picker.ts";
import { $, setStatus, store, ui, view as pageView } from "./state.ts";
import type { Row } from "./store.ts";
import { SeriesColours } from "./colours.ts";
import type { Margins } from "./panels/types.ts";
import { fieldLabel } from "../src/runtime/notation.ts";

const REDRAW_MS = 100; // at most ten redraws a second, however fast rows arrive
/** one frame of an animated panel (a diffusion's particles through t) */
const FRAME_MS = 700;
/** one turn of a 3-D view (slow enough to follow, quick enough to read depth) */
const TURN_MS = 40_000;
setInterval(() => ui.animating && scheduleRedraw(), FRAME_MS);

// --- redraws, throttled (trailing edge, so the last rows are always drawn) ---
let pending = false;
export function scheduleRedraw() {
  if (pending) return;
  pending = true;
  setTimeout(() => {
    pending = false;
    redraw();
  }, REDRAW_MS);
}

/** The address says what is on screen: a slide of the talk, or one run. */
function writeHash() {
  const h = ui.shownSlide !== null
    ? `#slide=${ui.shownSlide + 1}`
    : ui.selected
    ? `#run=${ui.selected}`
    : "";
  if (location.hash !== h) {
    history.replaceState(null, "", `${location.pathname}${location.search}${h}`);
  }
}

function panelsFor(pipeline: string, streams: ReadonlyMap<string, readonly Row[]>): PanelSpec[] {
  const def = ui.pipelines.get(pipeline);
  const all = def ? (def.panels as PanelSpec[]) : genericPanels(streams);
  const slide = ui.shownSlide !== null ? ui.talk?.talk.slides[ui.shownSlide] : undefined;
  if (!slide || slide.pipeline !== pipeline) return all;
  return slide.panels.map((id) => all.find((p) => p.id === id)).filter((p) => p !== undefined);
}

/** "running · 42% (2,520 of 6,000)" while a run reports progress; "running" before. */
function progressText(rows: readonly Row[] | undefined): string {
  const last = rows?.at(-1);
  if (!last) return "running";
  const n = (v: unknown) => Number(v).toLocaleString("en");
  return `running · ${Math.round(100 * Number(last.fraction))}% (${n(last.done)} of ${
    n(last.total)
  })`;
}

/**
 * Presentation mode: the slide's panels tiled to fill the screen below its title (up to three
 * side by side, or a 2 × 2 / 3 × 2 grid; one column on a phone), chart text at 20 px — at
 * 1280 × 720 that is what the back of a room can read — and the grid's columns set on #panels. Each panel's
 * chart is its cell less what its figure holds besides the chart (caption, legend), as
 * measured when it was last drawn (`chrome`), so the slide fits the screen (issue #29).
 */
const PRESENT_FONT = 20;
/** A figure's caption and a one-line legend at 20 px, before a panel was measured. */
const DEFAULT_CHROME = 110;
/** The grid's gap between rows, and a figure's padding (style.css), with a pixel to spare. */
const ROW_GAP = 8, FIGURE_PAD = 14;
/** The least of a cell a chart keeps, however much its caption and legend take. */
const MIN_CHART_SHARE = 0.5;
function presentSizes(n: number, main: HTMLElement) {
  // a wide screen takes three side by side before it takes two rows; a phone, one column
  const portrait = globalThis.innerWidth < globalThis.innerHeight;
  const cols = portrait ? 1 : n <= 3 ? n : n === 4 ? 2 : 3;
  const rows = Math.max(1, Math.ceil(n / cols));
  const w = main.clientWidth;
  // below the slide's title and the run's line, to the bottom of the screen
  const h = globalThis.innerHeight - $("#panels").getBoundingClientRect().top - 8;
  $("#panels").style.gridTemplateColumns = `repeat(${cols}, minmax(0, 1fr))`;
  return {
    width: Math.max(240, Math.floor(w / cols) - 28),
    /** a figure's whole height: its chart is this less its chrome */
    cell: Math.floor((h - ROW_GAP * (rows - 1)) / rows) - FIGURE_PAD,
    fontSize: PRESENT_FONT,
  };
}

/** One colour per series name on the slide (or the run) shown: its panels share it. */
const colours = new SeriesColours();
/** Per run and panel: what its labels were measured to need beyond its margins (it only grows). */
const labelRoom = new Map<string, Margins>();
/** Per run and panel, presentation mode: what its figure holds above its chart (measureChrome). */
const chromeOf = new Map<string, number>();
/** Redraws a scope may ask for to fit its labels and chrome (each a measured correction). */
const MAX_REFITS = 4;
const refits = new Map<string, number>();

/** The chart of a figure: its largest SVG (a legend's swatches are small ones beside it). */
function chartOf(fig: Element): SVGSVGElement | null {
  return [...fig.querySelectorAll("svg")].sort((a, b) =>
    b.clientWidth * b.clientHeight - a.clientWidth * a.clientHeight
  )[0] ?? null;
}

/**
 * Labels that stick out of their chart (a long tick label, a note at the frame's edge): the
 * room they lack on each side, added to what `key` had. True if it grew.
 */
function fitLabels(fig: Element, key: string): boolean {
  const svg = chartOf(fig);
  if (!svg) return false;
  const box = svg.getBoundingClientRect();
  let top = 0, right = 0, bottom = 0, left = 0;
  for (const t of svg.querySelectorAll("text")) {
    if (!(t.textContent ?? "").trim()) continue;
    const r = t.getBoundingClientRect();
    if (r.width === 0) continue;
    left = Math.max(left, box.left - r.left);
    right = Math.max(right, r.right - box.right);
    top = Math.max(top, box.top - r.top);
    bottom = Math.max(bottom, r.bottom - box.bottom);
  }
  // a label's box reaches below its baseline (descenders): Plot sets the x label at the
  // svg's foot, and room added there would only move it down again, redraw after redraw
  const descent = 0.35 * parseFloat(getComputedStyle(svg).fontSize || "14");
  bottom = bottom > descent ? bottom : 0;
  if (Math.max(top, right, bottom, left) < 0.5) return false;
  const had = labelRoom.get(key) ?? { top: 0, right: 0, bottom: 0, left: 0 };
  const grow = (a: number, b: number) => Math.min(300, a + (b > 0.5 ? Math.ceil(b) + 4 : 0));
  labelRoom.set(key, {
    top: grow(had.top, top),
    right: grow(had.right, right),
    bottom: grow(had.bottom, bottom),
    left: grow(had.left, left),
  });
  return true;
}

/**
 * Presentation mode: remember a figure's chrome — what sits above its chart (caption, legend)
 * and its padding below, not the figure's height less the chart's: a grid row stretches every
 * figure to its tallest, and that slack would shrink the chart at every redraw. True if it
 * changed enough to redraw for.
 */
function measureChrome(fig: HTMLElement, key: string): boolean {
  const svg = chartOf(fig);
  if (!svg) return false;
  const chrome = Math.ceil(
    svg.getBoundingClientRect().top - fig.getBoundingClientRect().top + FIGURE_PAD / 2,
  );
  const had = chromeOf.get(key);
  if (had !== undefined && Math.abs(had - chrome) <= 4) return false;
  chromeOf.set(key, chrome);
  return true;
}

function redrawTalk() {
  const nav = $("#talk");
  const talk = ui.talk;
  if (!talk) return void (nav.hidden = true);
  nav.hidden = false;
  const n = talk.talk.slides.length;
  const i = ui.shownSlide ?? talk.slide;
  const slide = talk.talk.slides[i];
  $("#slide-label").textContent = `${i + 1} / ${n} · ${slide.title}`;
  $("#slide-title").textContent = ui.shownSlide !== null ? slide.title : "";
  const next = talk.talk.slides[i + 1];
  $("#next-slide").textContent = next ? `next: ${next.title}` : "last slide";
  // the speaker's notes are the console's alone (the server sends them only with the token)
  $("#notes").textContent = ui.presenter && ui.shownSlide !== null ? slide.notes ?? "" : "";
}

function exportButtons(caption: HTMLElement, fig: HTMLElement, name: string) {
  for (const kind of ["PNG", "SVG"] as const) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "export";
    b.textContent = kind;
    b.title = `download this panel as ${kind}`;
    b.onclick = () => {
      const svg = chartOf(fig);
      if (!svg) {
        return setStatus("this panel has no chart to export", true);
      }
      if (kind === "SVG") {
        downloadSvg(svg, name);
      } else downloadPng(svg, name).catch((e) => setStatus(String(e), true));
    };
    caption.append(b);
  }
}

export function redraw() {
  ui.animating = false;
  if (ui.local && ui.local.slide === ui.shownSlide) ui.selected = ui.local.run;
  else if (ui.shownSlide !== null && ui.talk) ui.selected = ui.talk.runs[ui.shownSlide] ?? null;
  else if (ui.follow) ui.selected = store.latest();
  redrawPicker();
  redrawTalk();
  showLocal(scheduleRedraw);
  writeHash();
  const selected = ui.selected;
  const view = selected ? store.runs.get(selected) : undefined;
  const main = $("#panels");
  // a local run's rows come from this browser's worker, never from the server
  if (selected && !view?.meta && selected !== ui.local?.run) {
    void ensureLoaded(selected, scheduleRedraw);
  }
  if (!view) {
    main.replaceChildren();
    $("#run-export").replaceChildren();
    $("#run-info").textContent = ui.shownSlide !== null && ui.talk
      ? (ui.talk.offline
        ? "No recording of this slide in the log directory: rehearse it once without --offline."
        : selected && ui.known.get(selected)?.status === "queued"
        ? "Queued: this slide's run starts when a worker is free (watch --threads)."
        : "Waiting for this slide's run…")
      : selected
      ? `Loading run ${selected}…`
      : "No run yet: choose a pipeline and start one.";
    return;
  }
  const def = ui.pipelines.get(view.pipeline);
  const meta = view.meta;
  $("#run-info").textContent = [
    def?.title ?? view.pipeline,
    `run ${view.run}`,
    view.status === "running" ? progressText(view.streams.get("progress")) : view.status,
    // once done, what really computed (measured); before, the backend chosen (the adapter is
    // named only where it computes: under wasm or cpu it is a bystander)
    view.done?.computed
      ? `computed by ${view.done.computed}`
      : meta?.backend
      ? `${meta.backend}${meta.backend === "webgpu" && meta.adapter ? ` (${meta.adapter})` : ""}`
      : "",
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
  const present = pageView === "present" ? presentSizes(specs.length, main) : null;
  const width = present?.width ?? Math.max(
    320,
    Math.min(720, (main.clientWidth - 16) / (specs.length > 1 ? 2 : 1) - 60),
  );
  const scope = `${ui.shownSlide ?? "run"}:${view.run}`;
  colours.use(scope);
  const keyOf = (id: string) => `${view.run}/${id}`;
  const figures = specs.map((spec) => {
    const key = keyOf(spec.id);
    const stream = def?.streams[spec.stream];
    const label = (field: string) => fieldLabel(stream, field);
    const size = {
      width,
      height: present
        ? Math.max(
          MIN_CHART_SHARE * present.cell,
          present.cell - (chromeOf.get(key) ?? DEFAULT_CHROME),
        )
        : undefined,
      fontSize: present?.fontSize,
      colours,
      margins: labelRoom.get(key),
      label,
    };
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
    caption.title = spec.title; // all of it, where a slide shows two lines
    const frame = Math.floor(performance.now() / FRAME_MS);
    if (spec.kind === "series" && spec.animate) {
      ui.animating = true;
      const value = frameValue(rows, spec.animate, frame);
      if (value !== undefined) caption.append(` · ${label(spec.animate)} = ${value}`);
    }
    if (spec.kind === "projection") {
      ui.animating = true;
      const value = frameValue(rows, spec.frame, frame, "ascending");
      if (value !== undefined) caption.append(` · ${label(spec.frame)} = ${value}`);
    }
    let body: Element;
    if (spec.kind === "series") {
      const overlay = spec.overlay ? view.streams.get(spec.overlay.stream) ?? [] : [];
      const arrows = spec.arrows ? view.streams.get(spec.arrows.stream) ?? [] : [];
      body = seriesPanel(rows, spec, { ...size, overlay, arrows, frame });
    } else if (spec.kind === "table") body = tablePanel(rows, spec, size);
    else if (spec.kind === "histogram") body = histogramPanel(rows, spec, size);
    else if (spec.kind === "projection") {
      // a turn every 40 s, read off the clock so every redraw continues it
      const angle = (2 * Math.PI * performance.now()) / TURN_MS;
      body = projectionPanel(rows, spec, { ...size, frame, angle });
    } else {
      const fill = ui.heatFill.get(spec.id) ?? spec.fill[0];
      const choose = document.createElement("select");
      choose.className = "fill";
      for (const f of spec.fill) choose.append(new Option(label(f), f, false, f === fill));
      choose.onchange = () => {
        ui.heatFill.set(spec.id, choose.value);
        redraw();
      };
      caption.append(" colour by ", choose);
      body = heatmapPanel(
        rows,
        spec.overlay ? view.streams.get(spec.overlay.stream) ?? [] : [],
        spec,
        { ...size, width: present ? width : width * 1.2, fill },
      );
    }
    if (spec.kind !== "table") {
      exportButtons(caption, fig, `${view.pipeline}-${spec.id}-${view.run}`);
    }
    fig.replaceChildren(caption, body);
    return fig;
  });
  main.replaceChildren(...figures);
  // measured now that they are on the page: labels that stick out, and (projected) what each
  // figure holds besides its chart; a correction redraws, a few times a scope at most
  let again = false;
  for (const fig of figures) {
    const key = keyOf(fig.dataset.panel!);
    again = fitLabels(fig, key) || again;
    if (present) again = measureChrome(fig, key) || again;
  }
  // a budget per scope and rows drawn: new rows may need new room (a longer tick label)
  let rows = 0;
  for (const r of view.streams.values()) rows += r.length;
  const budget = `${scope}:${rows}`;
  if (!refits.has(budget)) refits.clear();
  const n = refits.get(budget) ?? 0;
  if (again && n < MAX_REFITS) {
    refits.set(budget, n + 1);
    scheduleRedraw();
  }
  // whether this drawing is the one that stays (tests wait for it: tests/slides_browser_test.ts)
  main.dataset.settled = again && n < MAX_REFITS ? "no" : "yes";
}
