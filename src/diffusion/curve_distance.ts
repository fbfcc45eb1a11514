/**
 * How far points lie from a curve: what "the reverse process rebuilt the Swiss roll"
 * means in a number (the median distance of its samples to the roll, against pure
 * noise's ≈ 0.3 in unit-variance coordinates).
 *
 * The curve is taken as a polyline of `SEGMENTS` chords, even in u. Each chord is at most
 * (roll length 13.2)/2000 × (max speed / mean speed) ≈ 0.01 long; it departs from the
 * curve by its sagitta ℓ²/(8R) ≤ 1e-4 with the roll's radius of curvature R ≥ 0.1 in
 * these units — far under the ≈ 0.003 a well-trained model's samples sit at.
 *
 * @module
 */
import type { Curve } from "./data.ts";

const SEGMENTS = 2000;

/** Distance from each row (x, y) of `points` to the curve, by brute force over its chords. */
export function distanceToCurve(curve: Curve, points: Float64Array): Float64Array {
  const vx = new Float64Array(SEGMENTS + 1);
  const vy = new Float64Array(SEGMENTS + 1);
  for (let i = 0; i <= SEGMENTS; i++) [vx[i], vy[i]] = curve.point(i / SEGMENTS);
  const out = new Float64Array(points.length / 2);
  for (let p = 0; p < out.length; p++) {
    const x = points[2 * p], y = points[2 * p + 1];
    let best = Infinity;
    for (let i = 0; i < SEGMENTS; i++) {
      const ax = vx[i], ay = vy[i];
      const dx = vx[i + 1] - ax, dy = vy[i + 1] - ay;
      const len2 = dx * dx + dy * dy;
      const s = len2 > 0 ? Math.min(1, Math.max(0, ((x - ax) * dx + (y - ay) * dy) / len2)) : 0;
      const ex = x - ax - s * dx, ey = y - ay - s * dy;
      const r2 = ex * ex + ey * ey;
      if (r2 < best) best = r2;
    }
    out[p] = Math.sqrt(best);
  }
  return out;
}
