/**
 * A curve in three dimensions (a great circle's image on its top principal components),
 * drawn as an orthographic view: rotated by `angle` about the vertical and tilted a fixed
 * 20° toward the viewer, so a slow turn lets the eye read depth without WebGL. One frame
 * (a layer) at a time, the layers in ascending order, holding at the last; each frame is
 * scaled to fill the view (the length panel shows the growth; this one shows the shape).
 * Colour runs along the curve (θ), so where it folds back on itself shows.
 */
import * as Plot from "@observablehq/plot";
import type { Row } from "../store.ts";
import { frameValue } from "./series.ts";
import { nameOf, type PanelOptions, type ProjectionSpec } from "./types.ts";

const TILT = (20 * Math.PI) / 180;

/** Screen coordinates of (x, y, z) after turning by `angle` about z and tilting by TILT. */
export function project(x: number, y: number, z: number, angle: number): [number, number] {
  const c = Math.cos(angle), s = Math.sin(angle);
  const xr = c * x - s * y;
  const yr = s * x + c * y;
  // looking along the rotated y axis, tilted down: the vertical on screen mixes z and depth
  return [xr, Math.cos(TILT) * z + Math.sin(TILT) * yr];
}

export function projectionPanel(
  rows: readonly Row[],
  spec: ProjectionSpec,
  opts: PanelOptions = {},
): Element {
  const n = (r: Row, k: string) => Number(r[k]);
  const value = frameValue(rows, spec.frame, opts.frame ?? 0, "ascending");
  const angle = opts.angle ?? 0;
  const shown = rows.filter((r) => r[spec.frame] === value)
    .sort((a, b) => n(a, spec.order) - n(b, spec.order));
  // each frame fills the view: deep in the chaotic phase three components hold a few per cent
  // of the variance, and on a common scale the folded curve would be a speck
  let radius = 0;
  for (const r of shown) {
    radius = Math.max(radius, Math.hypot(n(r, spec.x), n(r, spec.y), n(r, spec.z)));
  }
  radius = radius > 0 ? radius * 1.05 : 1;
  if (shown.length > 2) shown.push(shown[0]); // a closed curve
  const data = shown.map((r) => {
    const [u, v] = project(n(r, spec.x), n(r, spec.y), n(r, spec.z), angle);
    return { u, v, t: n(r, spec.order) };
  });
  const size = Math.min(opts.width ?? 480, opts.height ?? 480);
  return Plot.plot({
    document: opts.document,
    width: size,
    height: size,
    margin: 10,
    style: { fontSize: `${opts.fontSize ?? 14}px` },
    x: { domain: [-radius, radius], axis: null },
    y: { domain: [-radius, radius], axis: null },
    color: { scheme: "turbo", legend: false },
    marks: [
      Plot.frame({ strokeOpacity: 0.15 }),
      // z: null makes one line whose colour varies along it (not one series per colour)
      Plot.line(data, { x: "u", y: "v", z: null, stroke: "t", strokeWidth: 1.8 }),
      Plot.text([`${nameOf(opts, spec.frame)} ${value ?? "–"}`], {
        frameAnchor: "top-left",
        dx: 8,
        dy: 8,
        fill: "currentColor",
        fontSize: (opts.fontSize ?? 14) + 2,
        className: "frame-label",
      }),
    ],
  }) as unknown as Element;
}
