/**
 * The talk being given: which slide is up, and the run behind each slide. The
 * presenter moves it (PUT /api/talk/slide); every view follows through a
 * `slide` message on the hub, so the audience's pages change with the
 * presenter's. A slide's run starts when the presenter first reaches it and is
 * kept, so going back is instant; editing the talk file or the slide's pipeline
 * re-runs the slide on screen (hot reload).
 *
 * Offline (`watch --offline`), a slide's run is the newest recording in the log
 * directory of the same pipeline and params, played back: a rehearsed talk
 * given again with no compute.
 *
 * @module
 */
import type { Pipeline } from "../runtime/pipeline.ts";
import type { Row } from "../runtime/run.ts";
import { resolveRunParams } from "../runtime/run_params.ts";
import type { Talk } from "../talk/talk.ts";
import type { HubLike } from "./hub.ts";
import type { Runs } from "./runs.ts";

/** The pseudo-run that slide changes are published under on the hub. */
export const TALK_RUN = "talk";

export interface TalkStateOptions {
  // deno-lint-ignore no-explicit-any
  readonly pipelines: () => readonly Pipeline<any>[];
  /** play recordings instead of computing, at this multiple of their pace */
  readonly offline?: { readonly speed: number } | null;
}

export class SlideError extends Error {}

export class TalkState {
  #talk: Talk;
  #slide = 0;
  /** the run behind each slide, once reached */
  #runs: (string | null)[];
  /** params the presenter changed on a slide (else the talk's) */
  #params: (Record<string, number | string> | null)[];
  #seq = 0;

  constructor(
    talk: Talk,
    readonly runs: Runs,
    readonly hub: HubLike,
    readonly opts: TalkStateOptions,
  ) {
    this.#talk = talk;
    this.#runs = talk.slides.map(() => null);
    this.#params = talk.slides.map(() => null);
    // On a Redis hub the presenter may drive another replica: its slide messages set this
    // replica's state too (history first, so a replica started mid-talk is on the live slide)
    hub.subscribe({ runs: new Set([TALK_RUN]), streams: new Set(["slide"]) }, null, (m) => {
      for (const line of m.data.split("\n")) {
        try {
          this.#follow(JSON.parse(line));
        } catch { /* not a slide row: the viewers get it as it is */ }
      }
    }, true);
  }

  /** A unique name for this server among the replicas sharing a hub. */
  readonly replica = crypto.randomUUID().slice(0, 8);

  #follow(row: Row): void {
    if (row.replica === this.replica || row.talk !== this.#talk.id) return;
    const slide = row.slide as number;
    if (!Number.isInteger(slide) || slide < 0 || slide >= this.#talk.slides.length) return;
    this.#slide = slide;
    this.#runs[slide] = typeof row.slide_run === "string" ? row.slide_run : null;
    const params = row.params;
    this.#params[slide] = params && typeof params === "object"
      ? params as unknown as Record<string, number | string>
      : null;
  }

  get talk(): Talk {
    return this.#talk;
  }

  get slide(): number {
    return this.#slide;
  }

  /** What GET /api/talk returns. */
  state() {
    return {
      talk: {
        id: this.#talk.id,
        title: this.#talk.title,
        slides: this.#talk.slides.map((s, i) => ({ ...s, params: this.#params[i] ?? s.params })),
      },
      slide: this.#slide,
      runs: [...this.#runs],
      offline: !!this.opts.offline,
    };
  }

  /**
   * Show slide `index` (0-based). Starts its run if it has none yet, or anew
   * with `params` when the presenter changed them. Throws SlideError/ParamError.
   */
  async go(index: number, params?: Readonly<Record<string, unknown>>): Promise<string | null> {
    const n = this.#talk.slides.length;
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new SlideError(
        `slide must be an integer in [0, ${n - 1}] (this talk has ${n}), got ${index}`,
      );
    }
    const slide = this.#talk.slides[index];
    if (params) {
      const def = this.#def(slide.pipeline);
      this.#params[index] = resolveRunParams(def, { ...slide.params, ...params });
      this.#stop(index);
      this.#runs[index] = null;
    }
    this.#slide = index;
    const run = this.#runs[index];
    const gone = run !== null && !this.runs.get(run);
    if (run === null || gone) this.#runs[index] = await this.#startRun(index);
    this.#announce("slide");
    return this.#runs[index];
  }

  /** The talk file changed: keep the runs of unchanged slides, re-run the current one. */
  async reload(talk: Talk): Promise<void> {
    const key = (s: Talk["slides"][number]) => JSON.stringify([s.pipeline, s.params]);
    const old = new Map(this.#talk.slides.map((s, i) => [key(s), this.#runs[i]]));
    this.#stop(this.#slide);
    this.#talk = talk;
    this.#runs = talk.slides.map((s) => old.get(key(s)) ?? null);
    this.#params = talk.slides.map(() => null);
    this.#slide = Math.min(this.#slide, talk.slides.length - 1);
    this.#runs[this.#slide] = await this.#startRun(this.#slide);
    this.#announce("talk changed");
  }

  /** A pipeline's file changed: forget its slides' runs; re-run the current slide if it is one. */
  async pipelineChanged(id: string): Promise<boolean> {
    this.#talk.slides.forEach((s, i) => {
      if (s.pipeline === id && i !== this.#slide) this.#runs[i] = null;
    });
    if (this.#talk.slides[this.#slide].pipeline !== id) return false;
    this.#stop(this.#slide);
    this.#runs[this.#slide] = await this.#startRun(this.#slide);
    this.#announce(`${id} changed`);
    return true;
  }

  // deno-lint-ignore no-explicit-any
  #def(id: string): Pipeline<any> {
    const def = this.opts.pipelines().find((p) => p.id === id);
    if (!def) throw new SlideError(`the talk names pipeline ${id}, which is not loaded`);
    return def;
  }

  #stop(index: number): void {
    const run = this.#runs[index];
    if (run) this.runs.stop(run);
  }

  async #startRun(index: number): Promise<string | null> {
    const slide = this.#talk.slides[index];
    const params = this.#params[index] ?? slide.params;
    if (this.opts.offline) {
      const rec = this.runs.list().filter((r) =>
        r.source === "recorded" && r.pipeline === slide.pipeline && r.status === "ok" &&
        Object.entries(params).every(([k, v]) => r.params[k] === v)
      ).at(-1);
      if (!rec) return null; // the view says there is no recording of this slide
      const replay = await this.runs.replayLog(rec.run, this.opts.pipelines(), {
        speed: this.opts.offline.speed,
      });
      return replay?.run ?? null;
    }
    return this.runs.start(this.#def(slide.pipeline), { ...params }).run;
  }

  #announce(reason: string): void {
    const slide = this.#talk.slides[this.#slide];
    const row = {
      run: TALK_RUN,
      pipeline: TALK_RUN,
      stream: "slide",
      seq: this.#seq++,
      talk: this.#talk.id,
      slide: this.#slide,
      slide_run: this.#runs[this.#slide],
      title: slide.title,
      reason,
      replica: this.replica,
      params: this.#params[this.#slide],
    } as Row;
    this.hub.publish({ run: TALK_RUN, stream: "slide", rows: [row] });
  }
}
