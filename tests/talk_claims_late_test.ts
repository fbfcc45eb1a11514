/** The default talk's slides from LATE_FROM on show their claims (the heavy trainers: 18, 21–23). */
import { claimTests, LATE_FROM, talk } from "./helpers/talk_claims.ts";

claimTests(LATE_FROM, talk.slides.length);
