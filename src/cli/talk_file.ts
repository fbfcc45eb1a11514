/**
 * A talk file read from disk and checked (src/talk/talk.ts parses; this reads, here among the
 * CLI's modules, so that src/talk stays free of Deno's API and runs in a browser too).
 *
 * @module
 */
import type { Pipeline } from "../runtime/pipeline.ts";
import { parseTalk, type Talk, TalkError, talkId } from "../talk/talk.ts";

/** Read and check a talk file; a missing or unreadable file is a TalkError too. */
export async function loadTalk(
  path: string,
  // deno-lint-ignore no-explicit-any
  pipelines: readonly Pipeline<any>[],
): Promise<Talk> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new TalkError(`cannot read talk ${path}: ${e instanceof Error ? e.message : e}`);
  }
  return parseTalk(text, talkId(path), pipelines);
}
