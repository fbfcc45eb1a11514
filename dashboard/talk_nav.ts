/**
 * Talk navigation: the presenter moves the talk (its slide's run starts if it has none,
 * or anew with new params), every page hears it on the `slide` event and shows that
 * slide unless its viewer chose to look around; ←/→ (PageUp/PageDown, space) on the
 * presenter's page.
 *
 * @module
 */
import { redraw } from "./layout.ts";
import { authHeaders, hooks, setStatus, type TalkInfo, ui } from "./state.ts";

/** Presenter: show slide `i` everywhere (its run starts if it has none; with params, anew). */
export async function goToSlide(i: number, params?: Record<string, number | string>) {
  if (!ui.talk || i < 0 || i >= ui.talk.talk.slides.length) return;
  const res = await fetch("/api/talk/slide", {
    method: "PUT",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify(params ? { slide: i, params } : { slide: i }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  ui.talk = body as TalkInfo;
  showSlide(ui.talk.slide);
}

export function showSlide(i: number) {
  if (!ui.talk) return;
  ui.shownSlide = i;
  const slide = ui.talk.talk.slides[i];
  if (ui.presenter) hooks.showControls(slide.pipeline, slide.params);
  redraw();
}

/** A `slide` message: the presenter moved, or a file changed and the slide re-ran. */
export function onSlide(e: MessageEvent) {
  const talk = ui.talk;
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
      void fetchTalk().then(() => ui.followTalk && ui.talk && showSlide(ui.talk.slide));
      continue;
    }
    talk.runs[row.slide] = row.slide_run;
    talk.slide = row.slide;
    if (ui.followTalk || ui.presenter) showSlide(row.slide);
  }
}

export async function fetchTalk(): Promise<void> {
  const res = await fetch("/api/talk", { headers: authHeaders() });
  ui.talk = res.status === 200 ? (await res.json()) as TalkInfo : null; // 204: no talk
}

/** A slide key's direction: → PageDown space on (+1), ← PageUp back (−1), else 0. */
export function slideKey(e: KeyboardEvent): number {
  if (["ArrowRight", "PageDown", " "].includes(e.key)) return 1;
  if (["ArrowLeft", "PageUp"].includes(e.key)) return -1;
  return 0;
}

/** Presenter: one slide on (+1) or back (−1) from the one on screen. */
export function step(dir: number) {
  if (!ui.talk || !ui.presenter || !dir) return;
  void goToSlide((ui.shownSlide ?? ui.talk.slide) + Math.sign(dir));
}

export function onKey(e: KeyboardEvent) {
  if (!ui.talk || !ui.presenter) return;
  const target = e.target as HTMLElement;
  if (["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
  const dir = slideKey(e);
  if (!dir) return;
  step(dir);
  e.preventDefault();
}
