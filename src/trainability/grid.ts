/**
 * The trainability map's grid (Schoenholz et al. 2017, Fig. 5: σw² across, depth up), and the
 * order its cells are trained in: coarse to fine, so the whole map is sketched within the
 * first minute and then refined. Level 0 takes every 4th value in each direction, level 1
 * every 2nd (the cells level 0 did not take), level 2 the rest.
 *
 * @module
 */

/** `points` values from lo to hi, evenly spaced (one point: lo). */
export function linspace(lo: number, hi: number, points: number): number[] {
  if (points <= 1) return [lo];
  return Array.from({ length: points }, (_, k) => lo + ((hi - lo) * k) / (points - 1));
}

export interface Cell {
  /** indices into the two axes */
  readonly i: number;
  readonly j: number;
  /** 0 (sketch) … 2 (finest) */
  readonly level: number;
}

/** The coarsest level at which index k of an axis is taken (every 4th: 0, every 2nd: 1). */
const levelOf = (k: number) => (k % 4 === 0 ? 0 : k % 2 === 0 ? 1 : 2);

/** Every cell of an nx × ny grid once, coarse levels first, row by row within a level. */
export function coarseToFine(nx: number, ny: number): Cell[] {
  const cells: Cell[] = [];
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) cells.push({ i, j, level: Math.max(levelOf(i), levelOf(j)) });
  }
  return cells.sort((a, b) => a.level - b.level || a.j - b.j || a.i - b.i);
}
