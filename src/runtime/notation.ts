/**
 * What an axis or a legend calls a field (issue #29): the panel's own label, else the
 * stream's notation for it (σw², ξ_c, |u|), else the field's name — which no panel of a
 * pipeline may fall back to where the name reads as an identifier (tests/notation_test.ts).
 *
 * @module
 */
import type { PanelSpec, StreamSpec } from "./pipeline.ts";

/** The label of `field` of `stream`: `explicit` (the panel's), the stream's notation, or the name. */
export function fieldLabel(
  stream: Pick<StreamSpec, "notation"> | undefined,
  field: string,
  explicit?: string,
): string {
  return explicit ?? stream?.notation?.[field] ?? field;
}

/** Greek letters' names, which a slide should show as letters. */
const GREEK =
  /\b(alpha|beta|gamma|delta|epsilon|zeta|eta|theta|kappa|lambda|mu|nu|xi|rho|sigma|tau|phi|chi|psi|omega)(\d|_|\b)/i;

/**
 * Whether a label reads as a raw identifier rather than notation or words: snake_case with a
 * word in it (u_norm, max_rel_error; q_l, a letter and its subscript, is notation), a name
 * run into digits (d0), or a Greek letter spelt out (lambda, chi1, sigma_w2).
 */
export function looksRaw(label: string): boolean {
  const snake = /^[A-Za-z0-9]+(_[A-Za-z0-9]+)+$/.test(label) &&
    label.split("_").some((part) => /[A-Za-z]{2,}/.test(part));
  return snake || /^[a-z]+\d+$/i.test(label) || GREEK.test(label);
}

/**
 * Every field name a panel of `def`'s would print as a label (axes, legend titles, facet and
 * frame captions, a table's keys), as the dashboard resolves it: what tests/notation_test.ts
 * holds to notation. Table keys come from the stream's fields.
 */
export function panelLabels(
  panel: PanelSpec,
  streams: Readonly<Record<string, StreamSpec>>,
): { field: string; label: string }[] {
  const stream = streams[panel.stream];
  const out: { field: string; label: string }[] = [];
  const add = (field: string | undefined, explicit?: string) => {
    if (field !== undefined) out.push({ field, label: fieldLabel(stream, field, explicit) });
  };
  switch (panel.kind) {
    case "series":
      add(panel.x);
      add(panel.y, panel.yLabel);
      add(panel.group);
      add(panel.animate);
      break;
    case "heatmap":
      add(panel.x);
      add(panel.y);
      for (const f of panel.fill) add(f);
      add(panel.facet?.x);
      add(panel.facet?.y);
      break;
    case "histogram":
      add(panel.lo, panel.xLabel ?? "eigenvalue");
      add(panel.count);
      add(panel.group);
      add(panel.label);
      break;
    case "projection":
      add(panel.frame);
      break;
    case "table":
      for (const f of Object.keys(stream?.fields ?? {})) add(f);
      break;
  }
  return out;
}
