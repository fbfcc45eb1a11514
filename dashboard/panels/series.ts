/**
 * A series panel: theory as a line, simulation as points, one panel per
 * stream (q_l, c_l, a loss…). Pure: rows and options in, an SVG element out.
 */
import * as Plot from "@observablehq/plot";
import { type Row, thin } from "../store.ts";
import { margins, nameOf, type PanelOptions, type SeriesSpec } from "./types.ts";

const num = (r: Row, k: string) => (typeof r[k] === "number" ? (r[k] as number) : NaN);

/** [min, max] of a numeric field over the rows, or undefined where none has a number. */
function extent(rows: readonly Row[], k: string): number[] | undefined {
  const v = rows.map((r) => num(r, k)).filter(Number.isFinite);
  return v.length ? [Math.min(...v), Math.max(...v)] : undefined;
}

/** margins: the left one always (room for tick labels); the rest only where facets are squared */
const MARGIN_LEFT = 56, MARGIN_RIGHT = 20, MARGIN_TOP = 40, MARGIN_BOTTOM = 30;

/**
 * A log axis's tick count: one per `each` px, 2 to 4. d3 draws a decade's 2…9 only while the
 * count exceeds the decades shown, and then labels just some (1, 2, 3…): more labels than that
 * collide, on a wide axis (twelve decades at 1080 px tall) as on a narrow one.
 */
function logTicks(px: number, each: number): number {
  return Math.min(4, Math.max(2, Math.floor(px / each)));
}

/** The frame every series panel shares: size, grid, axes; colour and marks vary. */
function plotSeries(
  spec: SeriesSpec,
  opts: PanelOptions & { xDomain?: number[]; yDomain?: number[] },
  color: Plot.ScaleOptions,
  marks: Plot.Markish[],
): Element {
  return Plot.plot({
    document: opts.document,
    width: opts.width ?? 560,
    height: opts.height ?? 320,
    // fixed where facets are sized square (squareFacets); Plot's defaults elsewhere, but for
    // large text (presentation mode), whose axis labels need room Plot's defaults do not give;
    // and whatever the layout found the labels still need
    ...margins(
      spec.facet
        ? { top: MARGIN_TOP, right: MARGIN_RIGHT, bottom: MARGIN_BOTTOM, left: MARGIN_LEFT }
        : opts.fontSize && opts.fontSize > 16
        ? {
          top: 2 * opts.fontSize,
          right: 2 * opts.fontSize,
          bottom: 2 * opts.fontSize,
          left: MARGIN_LEFT,
        }
        : { top: 20, right: 20, bottom: 30, left: MARGIN_LEFT },
      opts,
    ),
    grid: true,
    style: { fontSize: `${opts.fontSize ?? 14}px` },
    // log axes: plain numbers, and as many labels as fit side by side (d3 leaves the rest
    // of a decade's 2…9 ticks unlabelled): Plot's default crowds "20m 30m 40m" together
    x: spec.xLog
      ? {
        label: nameOf(opts, spec.x),
        type: "log",
        domain: opts.xDomain,
        tickFormat: "~g",
        ticks: logTicks(opts.width ?? 560, 9 * (opts.fontSize ?? 14)),
      }
      : { label: nameOf(opts, spec.x), type: "linear", domain: opts.xDomain },
    // log axes: plain numbers (Plot's default SI prefixes would print a loss of 0.48 as "480m")
    y: spec.yLog
      ? {
        label: spec.yLabel ?? nameOf(opts, spec.y),
        type: "log",
        tickFormat: "~g",
        ticks: logTicks(opts.height ?? 320, 3 * (opts.fontSize ?? 14)),
      }
      : { label: spec.yLabel ?? nameOf(opts, spec.y), domain: opts.yDomain },
    // facets are named by their tick labels; the field's name above them collides with one
    ...(spec.facet ? { fx: { label: null } } : {}),
    color,
    marks: [Plot.frame({ strokeOpacity: 0.2 }), ...marks],
  }) as unknown as Element;
}

/** theory and simulation keep their colours whichever arrives first. */
function colourDomain(keys: Iterable<string>): string[] {
  const fixed = ["theory", "simulation"];
  return [...fixed, ...[...keys].filter((k) => !fixed.includes(k)).sort()];
}

export function seriesPanel(
  rows: readonly Row[],
  spec: SeriesSpec,
  opts: PanelOptions & {
    overlay?: readonly Row[];
    arrows?: readonly Row[];
    xDomain?: number[];
    yDomain?: number[];
  } = {},
): Element {
  const f = spec.filter;
  if (f) {
    const wanted = Array.isArray(f.value) ? f.value : [f.value];
    rows = rows.filter((r) => wanted.includes(r[f.field] as string | number));
  }
  if (spec.animate) {
    // Axes from every frame, so the picture does not jump as the particles spread.
    const value = frameValue(rows, spec.animate, opts.frame ?? 0);
    const field = spec.animate;
    opts = { ...opts, xDomain: extent(rows, spec.x), yDomain: extent(rows, spec.y) };
    rows = rows.filter((r) => r[field] === value);
  }
  if (spec.points) return scatterPanel(rows, opts.overlay ?? [], spec, opts);
  if (spec.group) return groupedPanel(rows, spec, spec.group, opts);
  const by = spec.by;
  const extra = spec.lines ?? [];
  const label = (field: string) => spec.labels?.[field] ?? field;
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    // with extra lines the main one is named (by its label or field), to tell them apart in the legend
    const key = by ? String(r[by]) : extra.length ? label(spec.y) : "value";
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push(r);
  }
  const marks: Plot.Markish[] = [];
  for (const [key, g] of groups) {
    const data = thin(g.slice().sort((a, b) => num(a, spec.x) - num(b, spec.x)));
    const style = { x: spec.x, y: spec.y, stroke: () => key };
    if (key === "simulation") {
      marks.push(Plot.dot(data, { ...style, r: 3.5, fill: () => key, fillOpacity: 0.6 }));
    } else marks.push(Plot.line(data, { ...style, strokeWidth: 2.5 }));
  }
  // more fields of the same rows (a reference value, a bound), each a dashed line named by its field
  const sorted = extra.length
    ? thin(rows.slice().sort((a, b) => num(a, spec.x) - num(b, spec.x)))
    : [];
  for (const field of extra) {
    marks.push(Plot.line(sorted.filter((r) => Number.isFinite(num(r, field))), {
      x: spec.x,
      y: field,
      stroke: () => label(field),
      strokeWidth: 2,
      strokeDasharray: "6 4",
    }));
  }
  const keys = [...groups.keys()];
  const domain = [...(by === "source" ? colourDomain(keys) : keys.sort()), ...extra.map(label)];
  return plotSeries(spec, opts, {
    legend: (by !== undefined && groups.size > 0) || extra.length > 0,
    domain,
    range: opts.colours?.range(domain) ?? ["#1f5fa8", "#e0662b", "#4a9e5c", "#8a5bb0"],
  }, marks);
}

/**
 * One curve per group (mode α, layer l), coloured by group: theory rows as a
 * line, simulation rows as points of the same colour.
 */
function groupedPanel(
  rows: readonly Row[],
  spec: SeriesSpec,
  group: string,
  opts: PanelOptions,
): Element {
  const by = spec.by ?? "source";
  const parts = new Map<string, Row[]>();
  for (const r of rows) {
    const key = `${r[group]}\u0000${r[by]}`;
    let g = parts.get(key);
    if (!g) parts.set(key, g = []);
    g.push(r);
  }
  const marks: Plot.Markish[] = [];
  for (const g of parts.values()) {
    const data = thin(g.slice().sort((a, b) => num(a, spec.x) - num(b, spec.x)));
    const style = { x: spec.x, y: spec.y, stroke: (r: Row) => String(r[group]) };
    if (g[0][by] === "simulation") {
      marks.push(Plot.dot(data, { ...style, r: 2.5, fill: (r: Row) => String(r[group]) }));
    } else marks.push(Plot.line(data, { ...style, strokeWidth: 2, strokeOpacity: 0.7 }));
  }
  // Colour is taken by the group, so the legend lists groups: say in the chart which mark
  // is which, wherever both are drawn.
  const sources = new Set(rows.map((r) => r[by]));
  if (sources.has("theory") && sources.has("simulation")) {
    // above the frame, right-aligned, short: inside it, at a slide's 20 px, "lines: theory ·
    // points: simulation" covered the data and the top tick label
    const size = opts.fontSize ?? 13;
    marks.push(Plot.text(["— theory   ● simulation"], {
      frameAnchor: "top-right",
      lineAnchor: "bottom",
      dy: -4,
      fontSize: size,
      fill: "currentColor",
      className: "mark-key",
    }));
  }
  const groups = [...new Set(rows.map((r) => String(r[group])))].sort((a, b) =>
    Number(a) - Number(b)
  );
  return plotSeries(spec, opts, {
    type: "ordinal",
    domain: groups,
    ...(opts.colours ? { range: opts.colours.range(groups) } : { scheme: "tableau10" }),
    legend: groups.length > 0,
    label: nameOf(opts, group),
  }, marks);
}

/**
 * Every row as a point (critical points: index against error), with the
 * overlay stream's curve drawn over them (the theory), in the fixed colours.
 */
function scatterPanel(
  rows: readonly Row[],
  overlay: readonly Row[],
  spec: SeriesSpec,
  opts: PanelOptions & { xDomain?: number[]; yDomain?: number[]; arrows?: readonly Row[] },
): Element {
  const marks: Plot.Markish[] = [];
  const a = spec.arrows;
  if (a && opts.arrows?.length) marks.push(arrowMarks(opts.arrows, a));
  const o = spec.overlay;
  if (o && overlay.length > 0) {
    const curve = overlay.slice().sort((a, b) => num(a, o.x) - num(b, o.x));
    marks.push(
      Plot.line(curve, {
        x: o.x,
        y: o.y,
        z: o.by ?? null,
        // with groups the colour scale is theirs: the overlay is drawn in ink, not a group's hue
        stroke: spec.group ? "#222" : () => "theory",
        strokeWidth: o.by ? 5 : 2.5,
      }),
    );
  }
  if (spec.group) {
    // particles: one colour per group (data against model samples), small and translucent
    const g = spec.group;
    marks.push(
      Plot.dot(rows, {
        x: spec.x,
        y: spec.y,
        r: 1.8,
        fill: (r: Row) => String(r[g]),
        fillOpacity: 0.5,
        fx: spec.facet,
      }),
    );
    const keys = [...new Set(rows.map((r) => String(r[g])))].sort();
    if (spec.facet) opts = { ...opts, ...squareFacets(rows, spec, opts) };
    return plotSeries(
      spec,
      opts,
      { legend: true, domain: keys, ...(opts.colours ? { range: opts.colours.range(keys) } : {}) },
      marks,
    );
  }
  marks.push(
    Plot.dot(rows, {
      x: spec.x,
      y: spec.y,
      r: 4,
      stroke: () => "simulation",
      fill: () => "simulation",
      fillOpacity: 0.5,
    }),
  );
  return plotSeries(spec, opts, {
    // a key only where there is a theory curve to tell the points from: a scatter of
    // measurements alone (steps against g) has nothing to key, and "theory" would mislead
    legend: Boolean(o && overlay.length > 0),
    domain: ["theory", "simulation"],
    range: ["#1f5fa8", "#e0662b"],
  }, marks);
}

/**
 * A vector field as arrows of one length: each (dx, dy) is measured in units of its axis's
 * grid spacing (so a diagonal on screen stays a diagonal), normalised, and drawn 0.4 of a
 * spacing long from (x, y). Grey, under the data.
 */
function arrowMarks(
  rows: readonly Row[],
  a: NonNullable<SeriesSpec["arrows"]>,
): Plot.Markish {
  const spacing = (k: string) => {
    const u = [...new Set(rows.map((r) => num(r, k)))].filter(Number.isFinite).sort((p, q) =>
      p - q
    );
    let s = Infinity;
    for (let i = 1; i < u.length; i++) s = Math.min(s, u[i] - u[i - 1]);
    return Number.isFinite(s) ? s : 1;
  };
  const sx = spacing(a.x), sy = spacing(a.y);
  const data = rows.flatMap((r) => {
    const ux = num(r, a.dx) / sx, uy = num(r, a.dy) / sy;
    const len = Math.hypot(ux, uy);
    if (!(len > 0)) return [];
    return [{
      x1: num(r, a.x),
      y1: num(r, a.y),
      x2: num(r, a.x) + (0.4 * sx * ux) / len,
      y2: num(r, a.y) + (0.4 * sy * uy) / len,
    }];
  });
  return Plot.arrow(data, {
    x1: "x1",
    y1: "y1",
    x2: "x2",
    y2: "y2",
    stroke: "#999",
    strokeWidth: 1,
    headLength: 5,
  });
}

/**
 * Side-by-side facets of points in one plane (a particle cloud) must not stretch it: a
 * panel one and a half times as wide, as tall as makes each facet's x and y spans the same
 * length on screen, with both axes given one span (the larger of the two) about their middles.
 */
function squareFacets(
  rows: readonly Row[],
  spec: SeriesSpec,
  opts: { width?: number; height?: number; xDomain?: number[]; yDomain?: number[] },
): { width: number; height: number; xDomain?: number[]; yDomain?: number[] } {
  const facets = Math.max(1, new Set(rows.map((r) => r[spec.facet!])).size);
  // wider than other panels on the dashboard; a projected slide's cell is what there is
  let width = (opts.height === undefined ? 1.5 : 1) * (opts.width ?? 560);
  // Plot's fx is a band scale padded 0.1 between facets, none outside: step = area/(n − 0.1),
  // each facet 0.9 of a step
  let side = (0.9 * (width - MARGIN_LEFT - MARGIN_RIGHT)) / (facets - 0.1);
  if (opts.height !== undefined && side + MARGIN_TOP + MARGIN_BOTTOM > opts.height) {
    // a given height (a projected slide's cell) bounds the squares: narrower, not taller
    side = Math.max(60, opts.height - MARGIN_TOP - MARGIN_BOTTOM);
    width = (side * (facets - 0.1)) / 0.9 + MARGIN_LEFT + MARGIN_RIGHT;
  }
  const x = opts.xDomain ?? extent(rows, spec.x), y = opts.yDomain ?? extent(rows, spec.y);
  if (!x || !y) return { width, height: side + MARGIN_TOP + MARGIN_BOTTOM };
  const half = Math.max(x[1] - x[0], y[1] - y[0]) / 2;
  const around = ([lo, hi]: number[]) => [(lo + hi) / 2 - half, (lo + hi) / 2 + half];
  return {
    width,
    height: side + MARGIN_TOP + MARGIN_BOTTOM,
    xDomain: around(x),
    yDomain: around(y),
  };
}

/** Frames an animation holds at its last value before it starts again. */
const HOLD = 3;

/**
 * The value of `field` that frame `frame` of an animation shows: the distinct
 * values from highest to lowest (a diffusion's t: noise to data; `ascending` for a
 * network's layers), then the last held for a few frames, then again from the start.
 */
export function frameValue(
  rows: readonly Row[],
  field: string,
  frame: number,
  order: "descending" | "ascending" = "descending",
): unknown {
  const sign = order === "ascending" ? -1 : 1;
  const values = [...new Set(rows.map((r) => r[field]))].sort((a, b) =>
    sign *
    (typeof a === "number" && typeof b === "number" ? b - a : String(b).localeCompare(String(a)))
  );
  if (!values.length) return undefined;
  const i = Math.max(0, frame) % (values.length + HOLD);
  return values[Math.min(i, values.length - 1)];
}
