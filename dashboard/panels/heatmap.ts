/**
 * A heatmap panel over a grid (the phase diagram, the trainability map), with curves drawn
 * over it (the critical line; 6ξ_c and 3ξ_c). Cells whose value is null (ξ_c on the
 * critical line, q* where it is unbounded, the loss of a diverged net) are drawn grey.
 *
 * Each cell reaches halfway to its neighbours along each axis (the grid need not be
 * uniform). A `sketch` map, whose cells arrive coarse to fine, is drawn whole from its first
 * cells: every grid point not yet measured takes its nearest measured cell's colour, paler.
 */
import * as Plot from "@observablehq/plot";
import type { Row } from "../store.ts";
import { type HeatmapSpec, margins, nameOf, type PanelOptions } from "./types.ts";

/** Sorted distinct values and each one's extent: halfway to its neighbours, mirrored at the ends. */
export function cellEdges(values: readonly number[]): { at: number[]; lo: number[]; hi: number[] } {
  const at = [...new Set(values)].sort((a, b) => a - b);
  const mid = (k: number) => (at[k] + at[k + 1]) / 2;
  const lo = at.map((v, k) => (k > 0 ? mid(k - 1) : at.length > 1 ? v - (mid(0) - v) : v - 0.5));
  const hi = at.map((v, k) =>
    k + 1 < at.length ? mid(k) : at.length > 1 ? v + (v - mid(k - 1)) : v + 0.5
  );
  return { at, lo, hi };
}

interface Cell {
  x1: number;
  x2: number;
  y1: number;
  y2: number;
  v: unknown;
  /** false: not measured yet, coloured as its nearest measured neighbour */
  measured: boolean;
  /** the small multiple's facet values, when the spec has `facet` */
  fx?: unknown;
  fy?: unknown;
}

/** The cells to draw: one per row, or with `sketch` one per grid point of the values seen so far. */
export function heatmapCells(rows: readonly Row[], spec: HeatmapSpec, fill: string): Cell[] {
  const f = spec.facet;
  if (f) {
    // each small multiple is its own grid
    const groups = new Map<string, Row[]>();
    for (const r of rows) {
      const key = `${r[f.x]}|${f.y ? r[f.y] : ""}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()].flatMap((g) =>
      heatmapCells(g, { ...spec, facet: undefined }, fill).map((c) => ({
        ...c,
        fx: g[0][f.x],
        fy: f.y ? g[0][f.y] : undefined,
      }))
    );
  }
  const X = cellEdges(rows.map((r) => r[spec.x] as number));
  const Y = cellEdges(rows.map((r) => r[spec.y] as number));
  const ix = new Map(X.at.map((v, k) => [v, k]));
  const iy = new Map(Y.at.map((v, k) => [v, k]));
  const measured = new Map<string, { i: number; j: number; v: unknown }>();
  for (const r of rows) {
    const i = ix.get(r[spec.x] as number)!, j = iy.get(r[spec.y] as number)!;
    measured.set(`${i},${j}`, { i, j, v: r[fill] });
  }
  const cell = (i: number, j: number, v: unknown, m: boolean): Cell => ({
    x1: X.lo[i],
    x2: X.hi[i],
    y1: Y.lo[j],
    y2: Y.hi[j],
    v,
    measured: m,
  });
  if (!spec.sketch) return [...measured.values()].map((c) => cell(c.i, c.j, c.v, true));
  const known = [...measured.values()];
  const out: Cell[] = [];
  for (let i = 0; i < X.at.length; i++) {
    for (let j = 0; j < Y.at.length; j++) {
      const m = measured.get(`${i},${j}`);
      if (m) {
        out.push(cell(i, j, m.v, true));
        continue;
      }
      // nearest in grid steps, each axis scaled to the unit square so neither dominates
      let best = known[0], d = Infinity;
      for (const k of known) {
        const e = ((k.i - i) / X.at.length) ** 2 + ((k.j - j) / Y.at.length) ** 2;
        if (e < d) [d, best] = [e, k];
      }
      out.push(cell(i, j, best.v, false));
    }
  }
  return out;
}

/**
 * Small multiples are drawn as wide as keeps their cells square (a receptive field keeps its
 * shape) within the panel's height, and no wider than the panel.
 */
function facetWidth(cells: readonly Cell[], opts: PanelOptions): number {
  const across = new Set(cells.map((c) => c.fx)).size || 1;
  const down = new Set(cells.map((c) => c.fy)).size || 1;
  const height = opts.height ?? 420, width = opts.width ?? 640;
  const margins = { x: 90, y: 70 }; // axis labels, the facet labels, the gaps
  return Math.min(width, Math.round(((height - margins.y) * across) / down + margins.x));
}

/**
 * Small multiples in order: numbers ascending, names in the order the run streamed them (an
 * inpainting's stages: original, masked, then the chain from noise to the completion).
 */
export function facetOrder(values: readonly unknown[]): unknown[] {
  const seen = [...new Set(values)];
  return seen.every((v) => typeof v === "number") ? (seen as number[]).sort((a, b) => a - b) : seen;
}

export function heatmapPanel(
  rows: readonly Row[],
  overlay: readonly Row[],
  spec: HeatmapSpec,
  opts: PanelOptions & { fill?: string } = {},
): Element {
  const fill = opts.fill ?? spec.fill[0];
  const cells = heatmapCells(rows, spec, fill);
  const positive = cells.every((c) => typeof c.v !== "number" || c.v > 0);
  const o = spec.overlay;
  const along = o ? (o.along === "x" ? o.x : o.y) : "";
  const line = overlay.slice().sort((a, b) => (a[along] as number) - (b[along] as number));
  // the overlay is clipped to the grid: 6ξ_c runs off to infinity at the critical point
  const domain = (lo: number[], hi: number[]) =>
    lo.length ? [Math.min(...lo), Math.max(...hi)] : undefined;
  const xDomain = spec.sketch ? domain(cells.map((c) => c.x1), cells.map((c) => c.x2)) : undefined;
  const yDomain = spec.sketch ? domain(cells.map((c) => c.y1), cells.map((c) => c.y2)) : undefined;
  const curve = (y: string, dashed: boolean) => [
    Plot.line(line, { x: o!.x, y, stroke: "white", strokeWidth: 3, clip: true }),
    Plot.line(line, {
      x: o!.x,
      y,
      stroke: "#d62728",
      strokeWidth: 1.5,
      clip: true,
      ...(dashed ? { strokeDasharray: "6 4" } : {}),
    }),
  ];
  const rect = {
    x1: "x1",
    x2: "x2",
    y1: "y1",
    y2: "y2",
    ...(spec.facet ? { fx: "fx", ...(spec.facet.y ? { fy: "fy" } : {}) } : {}),
  };
  const top = Math.max(0, ...cells.map((c) => (typeof c.v === "number" ? Math.abs(c.v) : 0)));
  const colour = spec.grey
    ? { type: "linear" as const, scheme: "greys" as const, reverse: true, domain: [0, 255] }
    : spec.diverging
    ? { type: "linear" as const, scheme: "rdbu" as const, reverse: true, domain: [-top, top] }
    : {
      type: (positive && fill.startsWith("xi") ? "log" : "linear") as "log" | "linear",
      scheme: "viridis" as const,
    };
  return Plot.plot({
    document: opts.document,
    width: spec.facet ? facetWidth(cells, opts) : opts.width ?? 640,
    height: opts.height ?? 420,
    // large text (presentation mode) needs room under the x ticks for the axis label
    ...margins({
      top: 20,
      right: 20,
      bottom: opts.fontSize && opts.fontSize > 16 ? 2 * opts.fontSize : 30,
      left: 56,
    }, opts),
    style: { fontSize: `${opts.fontSize ?? 14}px` },
    x: { label: nameOf(opts, spec.x), domain: xDomain },
    y: { label: nameOf(opts, spec.y), domain: yDomain },
    color: { ...colour, legend: opts.legend ?? true, label: nameOf(opts, fill) },
    ...(spec.facet
      ? {
        fx: { label: nameOf(opts, spec.facet.x), domain: facetOrder(cells.map((c) => c.fx)) },
        fy: spec.facet.y
          ? { label: nameOf(opts, spec.facet.y), domain: facetOrder(cells.map((c) => c.fy)) }
          : undefined,
        x: { axis: null },
        y: { axis: null, reverse: true },
      }
      : {}),
    marks: [
      Plot.rect(cells.filter((c) => c.v === null), { ...rect, fill: "#bbb" }),
      Plot.rect(cells.filter((c) => typeof c.v === "number" && c.measured), { ...rect, fill: "v" }),
      Plot.rect(cells.filter((c) => typeof c.v === "number" && !c.measured), {
        ...rect,
        fill: "v",
        fillOpacity: 0.45,
      }),
      ...(o ? curve(o.y, false) : []),
      ...(o ? (o.also ?? []).flatMap((f) => curve(f, true)) : []),
    ],
  }) as unknown as Element;
}
