/** Panel specs as the server describes them (src/runtime/pipeline.ts PanelSpec), and render options. */
import type { PanelSpec } from "../../src/runtime/pipeline.ts";
import type { SeriesColours } from "../colours.ts";

export type { PanelSpec };
export type SeriesSpec = Extract<PanelSpec, { kind: "series" }>;
export type HeatmapSpec = Extract<PanelSpec, { kind: "heatmap" }>;
export type TableSpec = Extract<PanelSpec, { kind: "table" }>;
export type HistogramSpec = Extract<PanelSpec, { kind: "histogram" }>;
export type ProjectionSpec = Extract<PanelSpec, { kind: "projection" }>;

export interface PanelOptions {
  /** a document to render into (a headless one in tests) */
  readonly document?: Document;
  readonly width?: number;
  readonly height?: number;
  /** draw the colour legend (default true) */
  readonly legend?: boolean;
  /** an animated panel's clock: which frame to draw (frames cycle) */
  readonly frame?: number;
  /** a turning view's angle about the vertical, in radians (the dashboard's clock) */
  readonly angle?: number;
  /** chart text in px (ticks, labels); presentation mode sets it for the back of a room */
  readonly fontSize?: number;
  /** the slide's (or run's) colour per series name, shared by its panels */
  readonly colours?: SeriesColours;
  /** how an axis or legend writes a field (src/runtime/notation.ts's fieldLabel for the stream) */
  readonly label?: (field: string) => string;
  /** px to add to the chart's margins: what its labels were found to need (layout.ts) */
  readonly margins?: Margins;
}

export interface Margins {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

/** The label of `field`: the stream's notation where the layout gave it, else the name. */
export function nameOf(opts: PanelOptions, field: string): string {
  return opts.label?.(field) ?? field;
}

/** Plot's margins: `base` (the panel's own) plus what the layout measured its labels need. */
export function margins(base: Margins, opts: PanelOptions) {
  const m = opts.margins;
  return {
    marginTop: base.top + (m?.top ?? 0),
    marginRight: base.right + (m?.right ?? 0),
    marginBottom: base.bottom + (m?.bottom ?? 0),
    marginLeft: base.left + (m?.left ?? 0),
  };
}
