import { assert } from "./assert.ts";
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { pipelineRows } from "./helpers/pipeline_rows.ts";
import { SLIDE_CLAIMS } from "./helpers/slide_claims.ts";

// Each slide of the default talk, run with its own params and seed, shows on screen what
// its title claims (tests/helpers/slide_claims.ts says what that means for each); the
// seconds each takes are the bench's business (bench/talk_bench.ts).
const talk = await loadTalk("data/talks/default.json", PIPELINES);

Deno.test("default talk: every slide has a claim to check", () => {
  const missing = talk.slides.filter((s) => !SLIDE_CLAIMS[s.title]).map((s) => s.title);
  assert(missing.length === 0, `slides without a claim: ${missing.join("; ")}`);
});

for (const [i, slide] of talk.slides.entries()) {
  const claim = SLIDE_CLAIMS[slide.title];
  if (!claim) continue;
  Deno.test(`default talk, slide ${i + 1} "${slide.title}": its run shows the claim`, async () => {
    const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
    const rows = await pipelineRows(def, slide.params, `slide-${i + 1}`);
    assert(rows.at(-1)!.status === "ok", `run ended ${rows.at(-1)!.status}`);
    claim.check(rows);
  });
}
