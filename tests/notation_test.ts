/**
 * Every label a panel prints — axes, legend titles, facet and frame captions, a table's keys
 * — is notation or words, never a raw field name (issue #29): the dashboard resolves labels
 * with src/runtime/notation.ts's fieldLabel, and this walks every panel of every pipeline.
 */
import { assert, assertEquals } from "./assert.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { fieldLabel, looksRaw, panelLabels } from "../src/runtime/notation.ts";

Deno.test("notation: no panel of any pipeline labels an axis, legend or table with a raw field name", () => {
  const raw: string[] = [];
  for (const def of PIPELINES) {
    for (const panel of def.panels) {
      for (const { field, label } of panelLabels(panel, def.streams)) {
        if (looksRaw(label)) raw.push(`${def.id} / ${panel.id}: ${field} → "${label}"`);
      }
    }
  }
  assert(raw.length === 0, `${raw.length} raw labels:\n${raw.join("\n")}`);
});

Deno.test("looksRaw(): identifiers are raw, notation and words are not", () => {
  for (const s of ["sigma_w2", "max_rel_error", "chi1", "d0", "lambda", "xi_c", "zeta_over_eta"]) {
    assert(looksRaw(s), s);
  }
  for (const s of ["σw²", "ξ_c (layers)", "|u|", "λ", "step", "test error", "K′", "q_l"]) {
    assertEquals(looksRaw(s), false, s);
  }
  assertEquals(fieldLabel({ notation: { u_norm: "|u|" } }, "u_norm"), "|u|");
  assertEquals(fieldLabel({ notation: { u_norm: "|u|" } }, "u_norm", "‖u‖"), "‖u‖");
  assertEquals(fieldLabel(undefined, "step"), "step");
});
