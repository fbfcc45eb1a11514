/**
 * The page's one EventSource, multiplexing every run's streams, and the fetch of a
 * whole run log this page joined late (or one recorded by an earlier server).
 *
 * @module
 */
import { setStatus, store, ui } from "./state.ts";
import type { Row } from "./store.ts";

/**
 * Listens to `streamNames` (and to any stream an ingested run announces in its meta
 * rows); `onRows` after each batch lands in the store, `onSlide` on a talk's `slide`
 * messages.
 */
export function connect(
  streamNames: Iterable<string>,
  onRows: () => void,
  onSlide: (e: MessageEvent) => void,
) {
  const es = new EventSource("/api/events");
  const listening = new Set<string>();
  const rows = (e: MessageEvent) => {
    for (const run of store.addMessage(e.data)) {
      // an ingested run announces its streams in meta rows: listen to new ones
      const streams = store.runs.get(run)?.meta?.streams;
      if (typeof streams === "string") { for (const s of streams.split(",")) listen(s); }
    }
    onRows();
  };
  const listen = (name: string) => {
    if (listening.has(name)) return;
    listening.add(name);
    es.addEventListener(name, rows as EventListener);
  };
  for (const name of streamNames) listen(name);
  es.addEventListener("slide", onSlide as EventListener);
  es.onopen = () => setStatus("connected");
  es.onerror = () => setStatus("reconnecting…", true);
}

/** Fetch the full log of a run this page has no meta for (joined late, or recorded). */
export async function ensureLoaded(run: string, onLoaded: () => void) {
  if (ui.loading.has(run) || store.runs.get(run)?.meta) return;
  ui.loading.add(run);
  try {
    const res = await fetch(`/api/runs/${encodeURIComponent(run)}/events.ndjson`);
    if (!res.ok) return;
    const rows = (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Row);
    if (rows.length === 0) {
      // no row yet: the run may be waiting for a worker (`queued`), which the page says
      const rec = await fetch(`/api/runs/${encodeURIComponent(run)}`);
      if (rec.ok) {
        const { pipeline, status } = await rec.json();
        const before = ui.known.get(run)?.status;
        ui.known.set(run, { pipeline, status });
        if (status !== before) onLoaded(); // else a redraw would ask again, and again
      }
      return;
    }
    store.loadLog(run, rows);
    onLoaded();
  } finally {
    ui.loading.delete(run);
  }
}
