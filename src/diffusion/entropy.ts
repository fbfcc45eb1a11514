/**
 * The Kozachenko–Leonenko k-nearest-neighbour estimate of differential entropy
 * (Kozachenko & Leonenko 1987; Kraskov, Stögbauer & Grassberger 2004, Eq. 20):
 *
 *   Ĥ = ψ(N) − ψ(k) + log V_d + (d/N) Σ_i log ε_i
 *
 * with ε_i the distance from sample i to its k-th nearest neighbour and V_d the
 * volume of the unit d-ball. Nats. O(N² d): N of a few thousand in 2-D is
 * milliseconds, which is all the entropy stream needs.
 *
 * @module
 */

const EULER_GAMMA = 0.5772156649015329;

/** ψ(n) for a positive integer n: −γ + Σ_{j<n} 1/j. */
export function digamma(n: number): number {
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`digamma: integer n ≥ 1, got ${n}`);
  let s = -EULER_GAMMA;
  for (let j = 1; j < n; j++) s += 1 / j;
  return s;
}

/** log of the volume of the unit ball in d dimensions: (d/2) log π − log Γ(d/2 + 1). */
export function logUnitBall(d: number): number {
  // Γ(d/2 + 1) by its recurrence from Γ(1) = 1 or Γ(1/2) = √π
  let logGamma = d % 2 === 0 ? 0 : 0.5 * Math.log(Math.PI);
  for (let x = d % 2 === 0 ? 1 : 0.5; x < d / 2 + 1 - 1e-9; x++) logGamma += Math.log(x);
  return (d / 2) * Math.log(Math.PI) - logGamma;
}

/** Entropy estimate (nats) of N points in d dimensions, row-major; k-th neighbour. */
export function knnEntropy(points: Float64Array, d: number, k = 3): number {
  const n = points.length / d;
  if (!(n > k)) throw new RangeError(`knnEntropy: need more than k = ${k} points, got ${n}`);
  const nearest = new Float64Array(k); // the k smallest squared distances, ascending
  let sumLog = 0;
  for (let i = 0; i < n; i++) {
    nearest.fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let r2 = 0;
      for (let c = 0; c < d; c++) {
        const diff = points[i * d + c] - points[j * d + c];
        r2 += diff * diff;
      }
      if (r2 >= nearest[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && nearest[p - 1] > r2) {
        nearest[p] = nearest[p - 1];
        p--;
      }
      nearest[p] = r2;
    }
    // duplicates give ε = 0; a floor keeps the sum finite (they are measure-zero for continuous data)
    sumLog += 0.5 * Math.log(Math.max(nearest[k - 1], 1e-300));
  }
  return digamma(n) - digamma(k) + logUnitBall(d) + (d / n) * sumLog;
}
