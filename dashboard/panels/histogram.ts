/**
 * Histograms as small multiples, one per group (the eigenvalue spectrum of a
 * few critical points of different error), bars from bin edges and counts.
 */
import * as Plot from "@observablehq/plot";
import type { Row } from "../store.ts";
import { type HistogramSpec, margins, nameOf, type PanelOptions } from "./types.ts";

export function histogramPanel(
  rows: readonly Row[],
  spec: HistogramSpec,
  opts: PanelOptions = {},
): Element {
  const label = (r: Row) => {
    const g = `${nameOf(opts, spec.group)} ${r[spec.group]}`;
    const extra = spec.label ? r[spec.label] : undefined;
    return typeof extra === "number"
      ? `${g} · ${nameOf(opts, spec.label!)} ${extra.toPrecision(3)}`
      : g;
  };
  const groups = [...new Set(rows.map(label))];
  return Plot.plot({
    document: opts.document,
    width: opts.width ?? 560,
    height: opts.height ?? Math.max(160, 110 * Math.max(1, groups.length)),
    // large text (presentation mode): the x label needs its own line below the ticks
    ...margins({
      top: 20,
      right: 150,
      bottom: opts.fontSize && opts.fontSize > 16 ? 2 * opts.fontSize : 30,
      left: 56,
    }, opts),
    grid: true,
    style: { fontSize: `${opts.fontSize ?? 13}px` },
    x: { label: spec.xLabel ?? "eigenvalue" },
    y: { label: nameOf(opts, spec.count), insetTop: 6 },
    fy: { label: null, domain: groups },
    marks: [
      Plot.frame({ strokeOpacity: 0.2 }),
      Plot.rectY(rows, {
        x1: spec.lo,
        x2: spec.hi,
        y: spec.count,
        fy: label,
        fill: (r: Row) => ((r[spec.hi] as number) <= 0 ? "#c0392b" : "#1f5fa8"),
        inset: 0.5,
      }),
      Plot.ruleX([0], { stroke: "#444", strokeDasharray: "3,3" }),
      Plot.ruleY([0]),
    ],
  }) as unknown as Element;
}
