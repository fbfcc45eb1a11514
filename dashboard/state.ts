/**
 * What every part of the dashboard page shares: the rows (one Store), what is on
 * screen (a slide of the talk, or one run, or the latest), whether this page is the
 * presenter's, and the few page-wide helpers. One mutable object, so the parts
 * (connection, talk navigation, run picker, layout, controls) read the same state
 * without importing each other in a circle.
 *
 * @module
 */
import type { PipelineDescription } from "../src/server/describe.ts";
import type { ExportData } from "../src/talk/export.ts";
import { Store } from "./store.ts";

export interface TalkInfo {
  talk: {
    id: string;
    title: string;
    slides: {
      title: string;
      pipeline: string;
      params: Record<string, number | string>;
      panels: string[];
      /** absent for pages without the presenter token */
      notes?: string;
    }[];
  };
  slide: number;
  runs: (string | null)[];
  offline: boolean;
}

export const store = new Store();

/** A talk exported to one HTML file (src/talk/export.ts) carries its rows: no server. */
export const exported: ExportData | null = (() => {
  const el = document.getElementById("statmech-export");
  return el ? JSON.parse(el.textContent ?? "null") as ExportData : null;
})();

/**
 * `?view=present`: the projected page — the slide and nothing else (layout.ts sizes it for
 * the screen). It never holds the presenter token, even one copied into a window opened
 * from the console.
 */
export const view: "present" | "dashboard" =
  exported || new URLSearchParams(location.search).get("view") === "present"
    ? "present"
    : "dashboard";

const TOKEN_KEY = "statmech-live token";
/**
 * The presenter token: taken from the address once, kept in this tab's session storage,
 * and stripped from the address bar so nobody reads it off a screen.
 */
export const token: string | null = (() => {
  const q = new URLSearchParams(location.search);
  const given = q.get("token");
  if (given !== null) {
    q.delete("token");
    const rest = q.toString();
    history.replaceState(null, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
  }
  if (view === "present") {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  if (given !== null) sessionStorage.setItem(TOKEN_KEY, given);
  return sessionStorage.getItem(TOKEN_KEY);
})();

/** Between the console and the projector window (same browser): slide keys pressed on the projector. */
export const talkChannel = new BroadcastChannel("statmech-live talk");

export const ui = {
  /** whether this page may control runs: it has the token, or the server needs none */
  presenter: false,
  pipelines: new Map<string, PipelineDescription>(),
  /** the run on screen */
  selected: null as string | null,
  /** follow the latest run (off a talk) */
  follow: true,
  /** the field each heatmap is coloured by, per panel */
  heatFill: new Map<string, string>(),
  /** runs listed by the server that this page has no rows of yet (recorded ones) */
  known: new Map<string, { pipeline: string; status: string }>(),
  loading: new Set<string>(),
  /** whether the panels on screen include an animated one (then redraw every frame) */
  animating: false,
  // the talk: which slide this page shows, and whether it follows the presenter
  talk: null as TalkInfo | null,
  shownSlide: null as number | null,
  followTalk: true,
  /** a run this browser computed for a slide (local_run.ts): shown on that slide instead of its run */
  local: null as { slide: number; run: string } | null,
};

/**
 * Set by main.ts: what showing a slide does to the param controls. (The controls start
 * slides and slides fill the controls; this hook keeps that out of an import cycle.)
 */
export const hooks = {
  showControls: (_pipeline: string, _values?: Record<string, number | string>): void => {},
};

export const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;

export function authHeaders(): HeadersInit {
  return token ? { authorization: `Bearer ${token}` } : {};
}

export function setStatus(text: string, isError = false) {
  const el = $("#status");
  el.textContent = text;
  el.classList.toggle("error", isError);
}
