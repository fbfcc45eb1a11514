/**
 * The live dashboard: one EventSource for every run, a run picker, controls
 * generated from each pipeline's params schema, and one panel per stream,
 * redrawn at most ten times a second.
 *
 * With a talk (`watch [talk]`), the page with the presenter token drives it:
 * ←/→ change slides, the controls re-run the slide; pages without the token are
 * the audience's, follow the presenter's slide and have no controls. The
 * address says what is on screen (#slide=3, or #run=<id>), so a link shows it.
 *
 * This file starts the page and owns the param controls; the parts live beside it:
 * state.ts (what they share), connection.ts (the EventSource), run_picker.ts,
 * talk_nav.ts, layout.ts (what is drawn).
 */
import type { PipelineDescription } from "../src/server/describe.ts";
import { formValues, type JsonSchema, paramsForm } from "./controls.ts";
import { connect } from "./connection.ts";
import type { Row } from "./store.ts";
import { redraw, scheduleRedraw } from "./layout.ts";
import { replayRun, startRun, stopRun } from "./run_picker.ts";
import {
  $,
  authHeaders,
  exported,
  hooks,
  setStatus,
  store,
  talkChannel,
  type TalkInfo,
  ui,
  view,
} from "./state.ts";
import { localHooks } from "./local_run.ts";
import { fetchTalk, goToSlide, onKey, onSlide, showSlide, slideKey, step } from "./talk_nav.ts";

/** The param form of pipeline `id` (filled with `values`); on a slide of it, submitting re-runs the slide. */
function showControls(id: string, values?: Record<string, number | string>) {
  const def = ui.pipelines.get(id);
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
    const shown = ui.shownSlide;
    const slide = shown !== null ? ui.talk?.talk.slides[shown] : undefined;
    // On a slide of its pipeline, the controls re-run the slide; elsewhere, a free run.
    if (slide && slide.pipeline === id) void goToSlide(shown!, params);
    else startRun(id, params);
  };
  $("#pipeline-cite").textContent = `${def.description} — ${def.cite}`;
  $("#params").replaceChildren(form);
}
hooks.showControls = showControls;

/** The console's clock and the time since it opened (a talk's length at a glance). */
function startClock() {
  const opened = Date.now();
  const tick = () => {
    const now = new Date();
    $("#clock").textContent = now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const s = Math.floor((Date.now() - opened) / 1000);
    $("#elapsed").textContent = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} elapsed`;
  };
  tick();
  setInterval(tick, 1000);
}

/**
 * An exported talk (one HTML file, no server): its pipelines, talk and rows are in the
 * page; ← and → move through the slides here, and nothing is fetched.
 */
function initExported(data: NonNullable<typeof exported>) {
  document.body.classList.add("audience", "present", "exported");
  ui.pipelines = new Map(data.pipelines.map((p) => [p.id, p]));
  for (const { run, pipeline, rows } of data.runs) {
    store.loadLog(run, rows.map((r) => ({ ...r, run, pipeline }) as unknown as Row));
  }
  ui.talk = structuredClone(data.talk) as unknown as TalkInfo;
  ui.follow = false;
  const n = data.talk.talk.slides.length;
  const hashSlide = Number(new URLSearchParams(location.hash.slice(1)).get("slide"));
  const go = (i: number) => {
    const j = Math.min(n - 1, Math.max(0, i));
    ui.talk!.slide = j;
    showSlide(j);
  };
  document.addEventListener("keydown", (e) => {
    const dir = slideKey(e);
    if (!dir) return;
    go((ui.shownSlide ?? 0) + dir);
    e.preventDefault();
  });
  localHooks.onFollow = () => go(ui.shownSlide ?? 0);
  go(Number.isInteger(hashSlide) && hashSlide >= 1 ? hashSlide - 1 : 0);
  setStatus("offline: an exported talk");
}

async function init() {
  if (exported) return initExported(exported);
  const control = await fetch("/api/control", { headers: authHeaders() });
  ui.presenter = control.ok && (await control.json()).control === true;
  document.body.classList.add(ui.presenter ? "presenter" : "audience");
  if (view === "present") document.body.classList.add("present");
  const res = await fetch("/api/pipelines");
  const { pipelines: list } = (await res.json()) as { pipelines: PipelineDescription[] };
  ui.pipelines = new Map(list.map((p) => [p.id, p]));
  const pick = $<HTMLSelectElement>("#pipeline");
  for (const p of list) pick.append(new Option(p.title, p.id));
  pick.onchange = () => showControls(pick.value);
  showControls(list[0].id);
  $<HTMLButtonElement>("#start").onclick = () =>
    ($("#params form") as HTMLFormElement).requestSubmit();
  $<HTMLButtonElement>("#stop").onclick = stopRun;
  $<HTMLButtonElement>("#replay").onclick = replayRun;
  $<HTMLButtonElement>("#prev").onclick = () => goToSlide((ui.shownSlide ?? 0) - 1);
  $<HTMLButtonElement>("#next").onclick = () => goToSlide((ui.shownSlide ?? -1) + 1);
  const runPicker = $<HTMLSelectElement>("#run-picker");
  runPicker.onchange = () => {
    ui.selected = runPicker.value;
    ui.follow = false;
    ui.shownSlide = null;
    $<HTMLInputElement>("#follow").checked = false;
    redraw();
  };
  $<HTMLInputElement>("#follow").onchange = (e) => {
    ui.follow = (e.target as HTMLInputElement).checked;
    if (ui.follow) ui.shownSlide = null;
    redraw();
  };
  $<HTMLInputElement>("#follow-talk").onchange = (e) => {
    ui.followTalk = (e.target as HTMLInputElement).checked;
    if (ui.followTalk && ui.talk) showSlide(ui.talk.slide);
  };
  document.addEventListener("keydown", onKey);
  localHooks.onFollow = () => ui.talk && showSlide(ui.talk.slide);
  if (view === "present") {
    // The projector window holds no token: its slide keys go to the console over a
    // same-browser channel, and the console moves the talk.
    document.addEventListener("keydown", (e) => {
      const dir = slideKey(e);
      if (dir) {
        talkChannel.postMessage({ step: dir });
        e.preventDefault();
      }
    });
  } else if (ui.presenter) {
    talkChannel.onmessage = (e) => step(Number(e.data?.step) || 0);
    $<HTMLButtonElement>("#open-projector").onclick = () => {
      const slide = ui.shownSlide ?? ui.talk?.slide ?? 0;
      globalThis.open(`${location.pathname}?view=present#slide=${slide + 1}`, "statmech-projector");
    };
    startClock();
  }

  // past runs the server knows of (recorded by earlier servers, too)
  const runsRes = await fetch("/api/runs");
  if (runsRes.ok) {
    for (
      const r of (await runsRes.json()).runs as { run: string; pipeline: string; status: string }[]
    ) {
      ui.known.set(r.run, { pipeline: r.pipeline, status: r.status });
    }
  }
  await fetchTalk();
  const hash = new URLSearchParams(location.hash.slice(1));
  const hashRun = hash.get("run");
  const hashSlide = Number(hash.get("slide"));
  const names = new Set(["meta", "error", "done", "progress"]);
  for (const p of list) for (const s of Object.keys(p.streams)) names.add(s);
  connect(names, scheduleRedraw, onSlide);
  const talk = ui.talk;
  if (hashRun) {
    ui.selected = hashRun;
    ui.follow = false;
    $<HTMLInputElement>("#follow").checked = false;
  } else if (talk) {
    ui.follow = false;
    $<HTMLInputElement>("#follow").checked = false;
    const want =
      Number.isInteger(hashSlide) && hashSlide >= 1 && hashSlide <= talk.talk.slides.length
        ? hashSlide - 1
        : talk.slide;
    if (hash.has("slide") && !ui.presenter && want !== talk.slide) {
      // a link to another slide than the live one shows that slide, not the live one
      ui.followTalk = false;
      $<HTMLInputElement>("#follow-talk").checked = false;
    }
    // The presenter's page puts the talk where its address says (or where it was);
    // a slide without a run yet starts it.
    if (ui.presenter && (want !== talk.slide || talk.runs[want] === null)) await goToSlide(want);
    else showSlide(want);
  }
  if (!ui.presenter && !talk) {
    $("#presenter-note").textContent = "Viewing. Starting runs may need the presenter link.";
  }
  redraw();
}

init().catch((e) => setStatus(`failed to start: ${e}`, true));
