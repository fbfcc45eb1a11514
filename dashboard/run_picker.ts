/**
 * The run picker (every run this page has rows of or the server has listed, newest
 * first) and what can be done to a run from the page: start one, stop the one on
 * screen, replay it.
 *
 * @module
 */
import { $, authHeaders, setStatus, store, ui } from "./state.ts";

export function redrawPicker() {
  const picker = $<HTMLSelectElement>("#run-picker");
  const ids = [...new Set([...store.runs.keys(), ...ui.known.keys()])].sort().reverse();
  const info = (id: string) => {
    const v = store.runs.get(id);
    return v ? { pipeline: v.pipeline, status: v.status } : ui.known.get(id)!;
  };
  const want = ids.map((id) => `${id}|${info(id).status}`).join(",");
  if (picker.dataset.state !== want) {
    picker.replaceChildren(...ids.map((id) => {
      const v = info(id);
      return new Option(`${v.pipeline} · ${id.slice(9, 15)} · ${v.status}`, id);
    }));
    picker.dataset.state = want;
  }
  if (ui.selected) picker.value = ui.selected;
}

/** After starting a run: leave the talk's slide and follow the newest run. */
function followNewest() {
  ui.shownSlide = null;
  ui.follow = true;
  $<HTMLInputElement>("#follow").checked = true;
}

export async function startRun(pipeline: string, params: Record<string, number | string>) {
  const res = await fetch("/api/runs", {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ pipeline, params }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  setStatus(`started ${body.run}`);
  followNewest();
}

export async function stopRun() {
  const run = ui.selected;
  if (!run) return;
  const res = await fetch(`/api/runs/${run}`, { method: "DELETE", headers: authHeaders() });
  const body = await res.json();
  setStatus(res.ok ? `stopped ${run}` : body.error, !res.ok);
}

export async function replayRun() {
  const run = ui.selected;
  if (!run) return;
  const speed = Number($<HTMLSelectElement>("#replay-speed").value);
  const res = await fetch(`/api/runs/${run}/replay`, {
    method: "POST",
    headers: { "content-type": "application/json", ...authHeaders() },
    body: JSON.stringify({ speed }),
  });
  const body = await res.json();
  if (!res.ok) return setStatus(body.error ?? `HTTP ${res.status}`, true);
  setStatus(`replaying ${run} at ×${speed} as ${body.run}`);
  followNewest();
}
