/**
 * Dashboard panels and store as pure functions: rows in, an element out,
 * rendered headlessly into linkedom's document (Observable Plot's `document`
 * option), checked for the marks a viewer must see.
 */
import { parseHTML } from "linkedom";
import { assert, assertAlmostEquals, assertEquals } from "./assert.ts";
import { frameValue, seriesPanel } from "../dashboard/panels/series.ts";
import { heatmapCells, heatmapPanel } from "../dashboard/panels/heatmap.ts";
import { histogramPanel } from "../dashboard/panels/histogram.ts";
import { project, projectionPanel } from "../dashboard/panels/projection.ts";
import { formatValue, tablePanel } from "../dashboard/panels/table.ts";
import { type Row, Store, thin } from "../dashboard/store.ts";
import { genericPanels } from "../dashboard/generic.ts";
import { PIPELINES } from "../pipelines/mod.ts";

/** A particle-cloud panel as diffusion's: points coloured and faceted by direction. */
const PARTICLES = {
  kind: "series" as const,
  id: "particles",
  title: "particles",
  stream: "samples",
  x: "x",
  y: "y",
  points: true,
  group: "direction",
  facet: "direction",
};

const { document } = parseHTML("<!doctype html><html><body></body></html>");
const doc = document as unknown as Document;
const html = (el: Element) => (el as unknown as { outerHTML: string }).outerHTML;
const count = (el: Element, tag: string) =>
  (html(el).match(new RegExp(`<${tag}[ >]`, "g")) ?? []).length;

let seq = 0;
const row = (stream: string, fields: Record<string, unknown>) =>
  ({ run: "r", pipeline: "p", stream, seq: seq++, ...fields }) as Row;

Deno.test("seriesPanel() draws theory as one line and every simulation row as a point", () => {
  const rows = [
    ...[0, 1, 2, 3].map((l) => row("qmap", { layer: l, q: 1 / (l + 1), source: "theory" })),
    ...[0, 1, 2].map((l) => row("qmap", { layer: l, q: 1 / (l + 1.2), source: "simulation" })),
  ];
  const el = seriesPanel(rows, {
    kind: "series",
    id: "q",
    title: "q",
    stream: "qmap",
    x: "layer",
    y: "q",
    by: "source",
  }, { document: doc });
  assertEquals(count(el, "circle"), 3);
  assert(/stroke-width="2.5"/.test(html(el)), "the theory line");
  assert(html(el).includes("theory") && html(el).includes("simulation"), "legend names both");
});

/** Mode strengths as deep-linear draws them: one colour per mode, theory and simulation. */
const MODES_SPEC = {
  kind: "series",
  id: "m",
  title: "m",
  stream: "modes",
  x: "step",
  y: "a",
  by: "source",
  group: "mode",
} as const;

Deno.test("seriesPanel() with a group draws one theory line per group and points for the simulation", () => {
  const rows = [0, 1, 2].flatMap((mode) =>
    [0, 10, 20].flatMap((step) => [
      row("modes", { step, mode, a: step * (mode + 1), source: "theory" }),
      row("modes", { step, mode, a: step * (mode + 1) * 0.9, source: "simulation" }),
    ])
  );
  const el = seriesPanel(rows, MODES_SPEC, { document: doc });
  assertEquals(count(el, "circle"), 9);
  // three theory lines, each its own line mark
  assertEquals(
    (html(el).match(/<g[^>]*stroke-opacity="0.7" stroke-width="2"[^>]*aria-label="line"/g) ?? [])
      .length,
    3,
  );
  // colour is the mode's, so the chart says which mark is theory and which simulation
  assert(html(el).includes("— theory   ● simulation"), "a key for the two marks");
  const theoryOnly = seriesPanel(rows.filter((r) => r.source === "theory"), MODES_SPEC, {
    document: doc,
  });
  assert(!html(theoryOnly).includes("points: simulation"), "no key with one kind of mark");
});

Deno.test("heatmapPanel() draws one rect per cell, null cells grey, and the overlay line", () => {
  const cells = [0, 1, 2].flatMap((i) =>
    [0, 1].map((j) =>
      row("cell", {
        sigma_w2: 1 + i,
        sigma_b2: j / 10,
        xi_c: i === 1 && j === 0 ? null : i + j + 1,
      })
    )
  );
  const line = [
    row("critical-line", { sigma_b2: 0, sigma_w2: 1.5 }),
    row("critical-line", { sigma_b2: 0.1, sigma_w2: 2 }),
  ];
  const spec = {
    kind: "heatmap",
    id: "h",
    title: "h",
    stream: "cell",
    x: "sigma_w2",
    y: "sigma_b2",
    fill: ["xi_c"],
    overlay: { stream: "critical-line", x: "sigma_w2", y: "sigma_b2" },
  } as const;
  // A continuous colour legend is drawn on a canvas, which linkedom lacks.
  const el = heatmapPanel(cells, line, spec, { document: doc, legend: false });
  const rects = html(el).match(/<rect[^>]*>/g) ?? [];
  assert(rects.length >= 6, `${rects.length} rects`);
  assertEquals(
    rects.filter((r) => r.includes("#bbb")).length + (html(el).match(/fill="#bbb"/g) ?? []).length >
      0,
    true,
  );
  assert(html(el).includes('stroke="#d62728"'), "critical line");
});

Deno.test("heatmapPanel() with facets: one small map per (unit, layer), a diverging scale", () => {
  // two layers × two units of 3 × 3 fields, signed
  const rows = [1, 2].flatMap((layer) =>
    [1, 2].flatMap((unit) =>
      [0, 1, 2].flatMap((i) =>
        [0, 1, 2].map((j) =>
          row("receptive", { layer, unit, i, j, weight: (i - 1) * (layer === 1 ? 1 : -1) })
        )
      )
    )
  );
  const spec = {
    kind: "heatmap",
    id: "r",
    title: "r",
    stream: "receptive",
    x: "i",
    y: "j",
    fill: ["weight"],
    facet: { x: "unit", y: "layer" },
    diverging: true,
  } as const;
  const cells = heatmapCells(rows, spec, "weight");
  assertEquals(cells.length, 36);
  assertEquals(new Set(cells.map((c) => `${c.fx}/${c.fy}`)).size, 4);
  const el = heatmapPanel(rows, [], spec, { document: doc, legend: false });
  // four facets, each with its 9 cells
  const rects = html(el).match(/<rect[^>]*fill="[^"]*"[^>]*>/g) ?? [];
  assert(rects.length >= 36, `${rects.length} rects`);
  assert(
    html(el).includes('aria-label="fx-axis label"') &&
      html(el).includes('aria-label="fy-axis label"'),
  );
  // rdbu reversed: −1 the darkest blue, +1 the darkest red
  assert(html(el).includes('fill="rgb(5, 48, 97)"') && html(el).includes('fill="rgb(103, 0, 31)"'));
});

Deno.test("tablePanel() shows the latest row's fields; null depth scales read as ∞", () => {
  const el = tablePanel(
    [
      row("fixed-point", { chi1: 0.5, xi_c: 1 }),
      row("fixed-point", { chi1: 1, xi_c: null, phase: "ordered" }),
    ],
    { kind: "table", id: "t", title: "t", stream: "fixed-point" },
    { document: doc },
  );
  const text = html(el);
  assert(text.includes("∞ (diverges)") && text.includes("ordered") && !text.includes("0.5"), text);
  assertEquals(formatValue("q_star", null), "— (unbounded)");
  assertEquals(formatValue("chi1", 0.123456789), "0.12346");
});

Deno.test("Store keeps rows of batches that arrive out of seq order across streams, and drops repeats", () => {
  // Batches are per stream: a qmap batch can carry seqs 1–3 and 7, a cmap batch 4–6 after it.
  const store = new Store();
  const line = (stream: string, s: number) =>
    JSON.stringify({ run: "r1", pipeline: "p", stream, seq: s, x: s });
  store.addMessage([line("qmap", 1), line("qmap", 2), line("qmap", 7)].join("\n"));
  store.addMessage([line("cmap", 4), line("cmap", 5)].join("\n"));
  store.addMessage([line("cmap", 4), line("cmap", 5)].join("\n")); // delivered twice
  const view = store.runs.get("r1")!;
  assertEquals(view.streams.get("qmap")!.length, 3);
  assertEquals(view.streams.get("cmap")!.length, 2);
  store.addMessage(
    JSON.stringify({ run: "r1", pipeline: "p", stream: "done", seq: 8, status: "ok" }),
  );
  assertEquals(view.status, "ok");
  assertEquals(store.latest(), "r1");
});

Deno.test("thin() keeps at most the limit, evenly, and always the last point", () => {
  const xs = Array.from({ length: 10_001 }, (_, i) => i);
  const t = thin(xs, 1000);
  // every k-th point, k = ⌈n/limit⌉ = 11 here: 910 points, plus the last
  assert(t.length <= 1001 && t.length > 500, `${t.length}`);
  assertEquals(t.at(-1), 10_000);
  assertEquals(thin([1, 2, 3], 1000), [1, 2, 3]);
});

Deno.test("seriesPanel() with points: every row a dot, the overlay stream a theory line", () => {
  const points = [0.1, 0.2, 0.4].map((e, i) =>
    row("critical-point", { error: e, index: e / 2, point: i })
  );
  const theory = [0, 0.25, 0.5].map((e) => row("theory", { error: e, index: e * e }));
  const spec = {
    kind: "series",
    id: "ie",
    title: "index",
    stream: "critical-point",
    x: "error",
    y: "index",
    points: true,
  } as const;
  const el = seriesPanel(points, {
    ...spec,
    overlay: { stream: "theory", x: "error", y: "index" },
  }, { document: doc, overlay: theory });
  assertEquals(count(el, "circle"), 3);
  assert(/stroke-width="2.5"/.test(html(el)), "the theory line");
  // without the overlay rows there is no line
  const bare = seriesPanel(points, spec, { document: doc });
  assert(!/stroke-width="2.5"/.test(html(bare)));
});

Deno.test("seriesPanel() with lines: each extra field of the rows a dashed line in the legend, null values skipped", () => {
  const rows = [0, 100, 200].map((step, i) =>
    row("bound", {
      step,
      K_bits: -4 + 0.2 * i,
      reference_bits: 2.35,
      ceiling_bits: i === 0 ? null : -3.2,
    })
  );
  const spec = {
    kind: "series" as const,
    id: "bound",
    title: "K",
    stream: "bound",
    x: "step",
    y: "K_bits",
    lines: ["reference_bits", "ceiling_bits"],
  };
  const el = seriesPanel(rows, spec, { document: doc });
  // Plot sets a mark's dash on its group; each group holds that line's path
  const dashed = [...el.querySelectorAll('[stroke-dasharray="6 4"]')];
  assertEquals(dashed.length, 2);
  // vertices per line: the reference through all three rows, the ceiling through the two with a value
  const vertices = dashed.map((g) =>
    (g.querySelector("path")?.getAttribute("d") ?? "").split("L").length
  );
  assertEquals(vertices.sort(), [2, 3]);
  for (const name of ["K_bits", "reference_bits", "ceiling_bits"]) {
    assert(html(el).includes(name), `legend names ${name}`);
  }
  // with labels the legend says those instead of the field names, for y and for each line
  const labelled = seriesPanel(rows, {
    ...spec,
    labels: { K_bits: "this run", ceiling_bits: "Gaussian ceiling" },
  }, { document: doc });
  const text = html(labelled);
  for (const name of ["this run", "Gaussian ceiling", "reference_bits"]) {
    assert(text.includes(name), `legend names ${name}`);
  }
  assert(!text.includes("ceiling_bits") && !text.includes(">K_bits<"), "field names replaced");
  assertEquals(labelled.querySelectorAll('[stroke-dasharray="6 4"]').length, 2);
});

Deno.test("histogramPanel() draws one bar per bin in one facet per point, negative bins red", () => {
  const bins = (point: number, error: number) =>
    [[-1, -0.5, 2], [-0.5, 0, 3], [0, 0.5, 10], [0.5, 1, 4]].map(([lo, hi, c]) =>
      row("spectrum", { point, error, lo, hi, count: c })
    );
  const el = histogramPanel([...bins(0, 0.41), ...bins(3, 0.05)], {
    kind: "histogram",
    id: "s",
    title: "spectra",
    stream: "spectrum",
    lo: "lo",
    hi: "hi",
    count: "count",
    group: "point",
    label: "error",
  }, { document: doc });
  assert(count(el, "rect") >= 8 + 2, "eight bars besides the two facets' frames");
  assertEquals((html(el).match(/fill="#c0392b"/g) ?? []).length, 4);
  assert(html(el).includes("point 0 · error 0.410") && html(el).includes("point 3 · error 0.0500"));
});

Deno.test("genericPanels(): one series per numeric field of an unknown pipeline's stream, x = step when present", () => {
  const r = (stream: string, fields: Record<string, unknown>, seq: number) =>
    ({ run: "x", pipeline: "pytorch", stream, seq, ...fields }) as Row;
  const streams = new Map<string, Row[]>([
    ["loss", [r("loss", { step: 0, loss: 1, lr: 0.1 }, 1)]],
    ["note", [r("note", { text: "hello" }, 2)]],
    ["acc", [r("acc", { acc: 0.5 }, 3)]],
  ]);
  assertEquals(genericPanels(streams), [
    { kind: "series", id: "loss.loss", title: "loss: loss", stream: "loss", x: "step", y: "loss" },
    { kind: "series", id: "loss.lr", title: "loss: lr", stream: "loss", x: "step", y: "lr" },
    { kind: "table", id: "note", title: "note", stream: "note" },
    { kind: "series", id: "acc", title: "acc", stream: "acc", x: "seq", y: "acc" },
  ]);
});

Deno.test("Store.loadLog(): a fetched log becomes the run's rows; newer live rows are kept after it", () => {
  const store = new Store();
  const r = (stream: string, seq: number, extra: Record<string, unknown> = {}) =>
    ({ run: "a", pipeline: "p", stream, seq, ...extra }) as Row;
  store.add(r("loss", 5, { step: 5 })); // a late viewer's first live row
  store.loadLog("a", [r("meta", 0), r("loss", 1, { step: 1 }), r("loss", 2, { step: 2 })]);
  const view = store.runs.get("a")!;
  assertEquals(view.streams.get("loss")!.map((x) => x.step), [1, 2, 5]);
  assert(view.meta !== null);
  store.loadLog("a", [
    r("meta", 0),
    r("loss", 1, { step: 1 }),
    r("loss", 2, { step: 2 }),
    r("loss", 5, { step: 5 }),
  ]);
  assertEquals(
    store.runs.get("a")!.streams.get("loss")!.map((x) => x.step),
    [1, 2, 5],
    "no duplicates",
  );
});

Deno.test("an animated panel draws one value of t per frame, highest first, holding at the lowest, on fixed axes", () => {
  const rows: Row[] = [];
  let n = 0;
  for (const t of [0, 20, 40]) {
    for (const direction of ["forward", "reverse"]) {
      for (let i = 0; i < 3; i++) {
        // spread grows with t, as noise does
        rows.push(
          {
            run: "d",
            pipeline: "diffusion",
            stream: "samples",
            seq: n++,
            t,
            direction,
            x: (i - 1) * (1 + t),
            y: i,
          } as Row,
        );
      }
    }
  }
  assertEquals([0, 1, 2, 3, 4, 5, 6].map((f) => frameValue(rows, "t", f)), [
    40,
    20,
    0,
    0,
    0,
    0,
    40,
  ]);
  const spec = { ...PARTICLES, animate: "t" };
  const last = seriesPanel(rows, spec, { document: doc, frame: 2 });
  const first = seriesPanel(rows, spec, { document: doc, frame: 0 });
  assertEquals(count(last, "circle"), 6, "t = 0: three particles in each direction");
  // the x axis spans every frame (−41 … 41) at t = 0 too, so the picture does not jump
  const ticks = (el: Element) => (html(el).match(/>(−?\d+)</g) ?? []).join();
  assertEquals(ticks(last), ticks(first));
  assert(ticks(last).includes("40"), ticks(last));
});

Deno.test("every pipeline's panels draw documented streams and name only fields those streams document", () => {
  // A typo in a panel spec draws nothing and raises nothing in the browser; here it fails.
  for (const p of PIPELINES) {
    for (const panel of p.panels) {
      const where = `${p.id} panel ${panel.id}`;
      const fieldsOf = (stream: string) => {
        const spec = p.streams[stream];
        assert(spec, `${where}: stream ${stream} is not documented`);
        return new Set(Object.keys(spec.fields));
      };
      const fields = fieldsOf(panel.stream);
      const named: string[] = [];
      if (panel.kind === "series") {
        named.push(panel.x, panel.y, ...(panel.lines ?? []), ...Object.keys(panel.labels ?? {}));
        for (const f of [panel.by, panel.group, panel.animate, panel.facet, panel.filter?.field]) {
          if (f) named.push(f);
        }
      } else if (panel.kind === "histogram") {
        named.push(panel.lo, panel.hi, panel.count, panel.group);
        if (panel.label) named.push(panel.label);
      } else if (panel.kind === "heatmap") {
        named.push(panel.x, panel.y, ...panel.fill);
        if (panel.facet) named.push(panel.facet.x, ...(panel.facet.y ? [panel.facet.y] : []));
      } else if (panel.kind === "projection") {
        named.push(panel.x, panel.y, panel.z, panel.frame, panel.order);
      }
      for (const f of named) {
        assert(fields.has(f), `${where}: ${f} is not a field of ${panel.stream}`);
      }
      const arrows = "arrows" in panel ? panel.arrows : undefined;
      if (arrows) {
        const other = fieldsOf(arrows.stream);
        for (const f of [arrows.x, arrows.y, arrows.dx, arrows.dy]) {
          assert(other.has(f), `${where}: arrows ${f} is not a field of ${arrows.stream}`);
        }
      }
      const overlay = "overlay" in panel ? panel.overlay : undefined;
      if (overlay) {
        const other = fieldsOf(overlay.stream);
        const also = (overlay as { also?: readonly string[] }).also ?? [];
        const by = (overlay as { by?: string }).by;
        for (const f of [overlay.x, overlay.y, ...also, ...(by ? [by] : [])]) {
          assert(other.has(f), `${where}: overlay ${f} is not a field of ${overlay.stream}`);
        }
      }
    }
  }
});

Deno.test("seriesPanel() facets of particles: a ring stays round on screen in every facet", () => {
  // 60 points on the unit circle in each of two directions: the dots' spans in pixels
  // across and up must match (Plot rounds positions to 0.1 px; 3% allows the dot radius
  // and the facet padding's rounding), however wide the panel.
  const rows = ["forward", "reverse"].flatMap((direction) =>
    Array.from({ length: 60 }, (_, i) =>
      row("samples", {
        t: 0,
        direction,
        particle: i,
        x: 3 * Math.cos((2 * Math.PI * i) / 60),
        y: Math.sin((2 * Math.PI * i) / 60) + (direction === "reverse" ? 5 : 0),
      }))
  );
  for (const width of [400, 720]) {
    const el = seriesPanel(rows, PARTICLES, { document: doc, width });
    const dots = [...el.querySelectorAll("circle")];
    assertEquals(dots.length, 120);
    // each facet is a <g> translated along x; group the dots by their parent's transform
    const byFacet = new Map<string, { cx: number; cy: number }[]>();
    for (const c of dots) {
      const key = c.parentElement?.getAttribute("transform") ?? "";
      const at = { cx: Number(c.getAttribute("cx")), cy: Number(c.getAttribute("cy")) };
      byFacet.set(key, [...(byFacet.get(key) ?? []), at]);
    }
    assertEquals(byFacet.size, 2);
    for (const pts of byFacet.values()) {
      const span = (k: "cx" | "cy") =>
        Math.max(...pts.map((p) => p[k])) - Math.min(...pts.map((p) => p[k]));
      // x spans 6 units, y spans 2: on screen 3 to 1 as well
      const ratio = span("cx") / span("cy");
      assert(Math.abs(ratio / 3 - 1) < 0.03, `width ${width}: x/y pixel ratio ${ratio}, want 3`);
    }
  }
});

Deno.test("projectionPanel(): layers step upward and hold at the last; one closed curve turns with the clock", () => {
  const rows = [0, 1, 2].flatMap((layer) =>
    Array.from({ length: 12 }, (_, p) =>
      row("projection", {
        layer,
        point: p,
        x: Math.cos((2 * Math.PI * p) / 12),
        y: Math.sin((2 * Math.PI * p) / 12),
        z: 0.1 * layer,
      }))
  );
  // frames 0, 1, 2 show layers 0, 1, 2; the last is held for three frames, then it restarts
  assertEquals([0, 1, 2, 3, 4, 5, 6].map((f) => frameValue(rows, "layer", f, "ascending")), [
    0,
    1,
    2,
    2,
    2,
    2,
    0,
  ]);
  // orthographic: a turn by π/2 carries x onto the screen's depth axis, y onto its x
  const [u, v] = project(0, 1, 0, Math.PI / 2);
  assertAlmostEquals(u, -1, 1e-12);
  assertAlmostEquals(v, 0, 1e-12);
  const spec = {
    kind: "projection" as const,
    id: "p",
    title: "p",
    stream: "projection",
    x: "x",
    y: "y",
    z: "z",
    frame: "layer",
    order: "point",
  };
  const at = (angle: number) =>
    html(projectionPanel(rows, spec, { document: doc, frame: 1, angle }));
  assert(at(0).includes("layer 1"), "the frame is labelled");
  // Plot draws a line of varying colour as one path per segment: 12 round the closed curve
  assert(count(projectionPanel(rows, spec, { document: doc, frame: 1 }), "path") >= 12);
  assert(at(0) !== at(1), "the view turns");
});
