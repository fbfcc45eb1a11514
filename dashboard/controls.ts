/** Param controls generated from a pipeline's JSON Schema (the same schema the CLI and HTTP validate with). */

interface JsonParam {
  type: "number" | "integer" | "string";
  enum?: string[];
  minimum?: number;
  maximum?: number;
  default: number | string;
  description?: string;
}

export interface JsonSchema {
  properties: Record<string, JsonParam>;
}

/** A form with one labelled input per param, defaults filled. */
export function paramsForm(schema: JsonSchema, doc: Document = document): HTMLFormElement {
  const form = doc.createElement("form");
  form.className = "params";
  for (const [name, p] of Object.entries(schema.properties)) {
    const label = doc.createElement("label");
    label.title = p.description ?? "";
    const span = doc.createElement("span");
    span.textContent = name;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.enum) {
      input = doc.createElement("select");
      for (const v of p.enum) {
        const o = doc.createElement("option");
        o.value = o.textContent = v;
        input.append(o);
      }
    } else {
      input = doc.createElement("input");
      input.type = "number";
      if (p.minimum !== undefined) input.min = String(p.minimum);
      if (p.maximum !== undefined) input.max = String(p.maximum);
      input.step = p.type === "integer" ? "1" : "any";
    }
    input.name = name;
    input.value = String(p.default);
    const help = doc.createElement("small");
    help.textContent = p.description ?? "";
    label.append(span, input, help);
    form.append(label);
  }
  return form;
}

/** The form's values, typed by the schema (numbers as numbers). */
export function formValues(
  form: HTMLFormElement,
  schema: JsonSchema,
): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const [name, p] of Object.entries(schema.properties)) {
    const el = form.elements.namedItem(name) as HTMLInputElement | null;
    if (!el) continue;
    out[name] = p.type === "string" ? el.value : Number(el.value);
  }
  return out;
}
