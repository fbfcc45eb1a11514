/** The slide's series colours (dashboard/colours.ts): one per name, across panels and redraws. */
import { assert, assertEquals } from "./assert.ts";
import { SeriesColours } from "../dashboard/colours.ts";

Deno.test("SeriesColours: a name keeps its colour in every panel of a slide, whichever panel draws it first", () => {
  const c = new SeriesColours();
  c.use("slide 16");
  const loss = c.range(["gd", "ngd", "adam", "adaptive-ngd"]);
  // the plane lists them in another order, and a name of its own
  const plane = c.range(["adam", "adaptive-ngd", "gd", "ngd", "attractor"]);
  assertEquals(plane.slice(0, 4), [loss[2], loss[3], loss[0], loss[1]]);
  assertEquals(new Set([...loss, plane[4]]).size, 5, "five names, five colours");
  // theory and simulation: the same two colours on every slide
  assertEquals(c.range(["theory", "simulation"]), ["#1f5fa8", "#e0662b"]);
  assert(!loss.includes("#1f5fa8") && !loss.includes("#e0662b"));
  // another slide starts afresh; the same slide again keeps its colours
  c.use("slide 17");
  assertEquals(c.range(["adam"]), [loss[0]], "the first free colour again");
  c.use("slide 16");
  c.use("slide 16");
  assertEquals(c.range(["gd"]), [loss[0]]);
});

Deno.test("SeriesColours: past the palette, a panel's series still differ from each other", () => {
  const c = new SeriesColours();
  c.use("many");
  const first = c.range(Array.from({ length: 12 }, (_, i) => `a${i}`)); // every free colour
  const next = c.range(["b0", "b1", "b2"]);
  assertEquals(new Set(first).size, 12, "the palette's twelve free colours, each once");
  assertEquals(new Set(next).size, 3);
});
