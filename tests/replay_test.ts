import { assertEquals } from "./assert.ts";
import { parseRows } from "../src/server/replay.ts";

Deno.test("parseRows() reads whole rows and skips a torn last line and non-rows", () => {
  const text = [
    '{"run":"r","pipeline":"p","stream":"meta","seq":0}',
    "",
    '{"not":"a row"}',
    '{"run":"r","pipeline":"p","stream":"qmap","seq":1,"q":0.5}',
    '{"run":"r","pipeline":"p","stream":"qmap","se', // a killed process's last write
  ].join("\n");
  const rows = parseRows(text);
  assertEquals(rows.map((r) => r.seq), [0, 1]);
  assertEquals(rows[1].q, 0.5);
});
