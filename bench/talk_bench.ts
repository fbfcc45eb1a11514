/**
 * The default talk, slide by slide: how long each slide's run takes on this machine
 * against its budget (tests/helpers/slide_claims.ts), and whether it shows its claim —
 * what a speaker waits for after pressing →.
 */
import { loadTalk } from "../src/cli/talk_file.ts";
import { PIPELINES } from "../pipelines/mod.ts";
import { pipelineRows } from "../tests/helpers/pipeline_rows.ts";
import { SLIDE_CLAIMS } from "../tests/helpers/slide_claims.ts";

const talk = await loadTalk("data/talks/default.json", PIPELINES);
for (const [i, slide] of talk.slides.entries()) {
  const def = PIPELINES.find((p) => p.id === slide.pipeline)!;
  const rows = await pipelineRows(def, slide.params, `bench-slide-${i + 1}`);
  const seconds = rows.at(-1)!.seconds as number;
  const claim = SLIDE_CLAIMS[slide.title];
  let shows = "no claim";
  try {
    claim?.check(rows);
    if (claim) shows = "shows its claim";
  } catch (e) {
    shows = (e as Error).message;
  }
  console.log(
    `slide ${i + 1} "${slide.title}": ${seconds.toFixed(1)} s (budget ${claim?.budget ?? "?"} s: ${
      claim && seconds <= claim.budget ? "met" : "NOT MET"
    }); ${shows}`,
  );
}
