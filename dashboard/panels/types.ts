/** Panel specs as the server describes them (src/runtime/pipeline.ts PanelSpec), and render options. */
import type { PanelSpec } from "../../src/runtime/pipeline.ts";

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
}
