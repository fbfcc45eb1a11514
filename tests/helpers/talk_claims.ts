/**
 * Each slide of the default talk, run with its own params and seed, shows on screen what its
 * title claims (slide_claims.ts says what that means for each); the seconds each takes are the
 * bench's business (bench/talk_bench.ts). Two test files each take a range of slides, so that
 * `deno test --parallel` runs the two halves side by side: one file of them all was the suite's
 * longest path (8.8 of its 12 minutes).
 */
import { assert } from "../assert.ts";
import { loadTalk } from "../../src/cli/talk_file.ts";
import { PIPELINES } from "../../pipelines/mod.ts";
import { pipelineRows } from "./pipeline_rows.ts";
import { SLIDE_CLAIMS } from "./slide_claims.ts";

export const talk = await loadTalk("data/talks/default.json", PIPELINES);

/** The first slide of talk_claims_late_test.ts: the two halves take about as long (≈ 4 min). */
export const LATE_FROM = 16;

/** A test for each slide numbered `from`…`to` (1-based, inclusive) that has a claim. */
export function claimTests(from: number, to: number): void {
  for (const [i, slide] of talk.slides.entries()) {
    const claim = SLIDE_CLAIMS[slide.title];
    if (!claim || i + 1 < from || i + 1 > to) continue;
    Deno.test(`default talk, slide ${i + 1} "${slide.title}": its run shows the claim`, async () => {
      const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
      const rows = await pipelineRows(def, slide.params, `slide-${i + 1}`);
      assert(rows.at(-1)!.status === "ok", `run ended ${rows.at(-1)!.status}`);
      claim.check(rows);
    });
  }
}
