/**
 * A heatmap panel over a grid (the phase diagram), with a line drawn over it
 * (the critical line). Cells whose value is null (ξ_c on the critical line,
 * q* where it is unbounded) are drawn grey.
 */
import * as Plot from "@observablehq/plot";
import type { Row } from "../store.ts";
import type { HeatmapSpec, PanelOptions } from "./types.ts";

/** The spacing of a grid's distinct coordinates (the smallest gap). */
function step(values: number[]): number {
  const u = [...new Set(values)].sort((a, b) => a - b);
  let s = Infinity;
  for (let i = 1; i < u.length; i++) s = Math.min(s, u[i] - u[i - 1]);
  return Number.isFinite(s) ? s : 1;
}

export function heatmapPanel(
  rows: readonly Row[],
  overlay: readonly Row[],
  spec: HeatmapSpec,
  opts: PanelOptions & { fill?: string } = {},
): Element {
  const fill = opts.fill ?? spec.fill[0];
  const dx = step(rows.map((r) => r[spec.x] as number)) / 2;
  const dy = step(rows.map((r) => r[spec.y] as number)) / 2;
  const rect = (r: Row) => ({
    x1: (r[spec.x] as number) - dx,
    x2: (r[spec.x] as number) + dx,
    y1: (r[spec.y] as number) - dy,
    y2: (r[spec.y] as number) + dy,
  });
  const cells = rows.map((r) => ({ ...rect(r), v: r[fill] }));
  const positive = cells.every((c) => typeof c.v !== "number" || c.v > 0);
  const line = overlay.slice().sort((a, b) =>
    (a[spec.overlay?.y ?? ""] as number) - (b[spec.overlay?.y ?? ""] as number)
  );
  return Plot.plot({
    document: opts.document,
    width: opts.width ?? 640,
    height: opts.height ?? 420,
    marginLeft: 56,
    // large text (presentation mode) needs room under the x ticks for the axis label
    ...(opts.fontSize && opts.fontSize > 16 ? { marginBottom: 2 * opts.fontSize } : {}),
    style: { fontSize: `${opts.fontSize ?? 14}px` },
    x: { label: spec.x },
    y: { label: spec.y },
    color: {
      type: positive && fill.startsWith("xi") ? "log" : "linear",
      scheme: "viridis",
      legend: opts.legend ?? true,
      label: fill,
    },
    marks: [
      Plot.rect(cells.filter((c) => c.v === null), {
        x1: "x1",
        x2: "x2",
        y1: "y1",
        y2: "y2",
        fill: "#bbb",
      }),
      Plot.rect(cells.filter((c) => typeof c.v === "number"), {
        x1: "x1",
        x2: "x2",
        y1: "y1",
        y2: "y2",
        fill: "v",
      }),
      spec.overlay
        ? Plot.line(line, { x: spec.overlay.x, y: spec.overlay.y, stroke: "white", strokeWidth: 3 })
        : null,
      spec.overlay
        ? Plot.line(line, {
          x: spec.overlay.x,
          y: spec.overlay.y,
          stroke: "#d62728",
          strokeWidth: 1.5,
        })
        : null,
    ],
  }) as unknown as Element;
}
