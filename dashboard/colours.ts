/**
 * One colour per series name on a slide (issue #29): a name keeps the colour it was first
 * drawn in, in every panel of the slide and on every redraw, whichever panel or row shows it
 * first — gradient descent is not blue in one panel and red in the next. "theory" and
 * "simulation" are always the first two, across the whole talk.
 *
 * @module
 */

/** Distinguishable on a projector; theory blue, simulation orange. */
const PALETTE = [
  "#1f5fa8",
  "#e0662b",
  "#4a9e5c",
  "#8a5bb0",
  "#c44e52",
  "#d4a82f",
  "#5fb5b5",
  "#d77fb3",
  "#8c6d4f",
  "#7f7f7f",
  "#17becf",
  "#9aa83a",
  "#393b79",
  "#e7969c",
];
const FIXED = new Map([["theory", PALETTE[0]], ["simulation", PALETTE[1]]]);
const FREE = PALETTE.slice(2);

export class SeriesColours {
  #scope: string | null = null;
  readonly #assigned = new Map<string, string>();

  /** Start afresh for another slide or run (`scope`); the same scope keeps its colours. */
  use(scope: string): void {
    if (scope === this.#scope) return;
    this.#scope = scope;
    this.#assigned.clear();
  }

  /**
   * An ordinal colour scale's range for `domain` (one panel's series): each name keeps the
   * colour it has on this slide; a new one takes a colour that no other series of this panel
   * has, one that no series of the slide has if any is left.
   */
  range(domain: readonly string[]): string[] {
    const inPanel = new Set(domain.map((n) => FIXED.get(n) ?? this.#assigned.get(n)));
    const onSlide = new Set(this.#assigned.values());
    return domain.map((name) => {
      const known = FIXED.get(name) ?? this.#assigned.get(name);
      if (known) return known;
      const c = FREE.find((c) => !onSlide.has(c)) ?? FREE.find((c) => !inPanel.has(c)) ??
        FREE[this.#assigned.size % FREE.length];
      this.#assigned.set(name, c);
      onSlide.add(c);
      inPanel.add(c);
      return c;
    });
  }
}
