/** The default talk's slides 1–15 show their claims (the rest: talk_claims_late_test.ts). */
import { assert } from "./assert.ts";
import { SLIDE_CLAIMS } from "./helpers/slide_claims.ts";
import { claimTests, LATE_FROM, talk } from "./helpers/talk_claims.ts";

Deno.test("default talk: every slide has a claim to check", () => {
  const missing = talk.slides.filter((s) => !SLIDE_CLAIMS[s.title]).map((s) => s.title);
  assert(missing.length === 0, `slides without a claim: ${missing.join("; ")}`);
});

claimTests(1, LATE_FROM - 1);
