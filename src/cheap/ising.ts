/**
 * The 2-D Ising model (J = 1, periodic L × L) sampled by Wolff's cluster algorithm, with the
 * exact results it is checked against: Onsager's energy and Yang's magnetisation for the
 * infinite lattice, and Kaufman's partition function of the finite torus (THEORY.md §8).
 *
 * Why Wolff: near T_c = 2/ln(1 + √2) Metropolis decorrelates in ~L^{2.17} sweeps; one Wolff
 * cluster (bonds between equal neighbours added with p = 1 − e^{−2/T}) flips a region of the
 * size of the correlation length at once, and obeys detailed balance by construction: the
 * ratio of the chances of building the same cluster from either side is e^{−2ΔE/T}·… exactly
 * the Boltzmann ratio (Wolff 1989).
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";

export const T_CRITICAL = 2 / Math.log(1 + Math.SQRT2);

export class IsingLattice {
  readonly spins: Int8Array;
  readonly #stack: Int32Array;
  readonly #pAdd: number;
  constructor(readonly size: number, readonly temperature: number, rng: Rng, hot = true) {
    this.spins = new Int8Array(size * size).fill(1);
    if (hot) {
      for (let i = 0; i < this.spins.length; i++) {
        this.spins[i] = rng.uniform() < 0.5 ? 1 : -1;
      }
    }
    this.#stack = new Int32Array(size * size);
    this.#pAdd = 1 - Math.exp(-2 / temperature);
  }

  /** Grow and flip one cluster from a random site; returns its size. */
  flipCluster(rng: Rng): number {
    const L = this.size, s = this.spins, stack = this.#stack, p = this.#pAdd;
    const seed = Math.floor(rng.uniform() * L * L);
    const old = s[seed];
    s[seed] = -old as -1 | 1; // flipped as added: a flipped site is never added twice
    stack[0] = seed;
    let top = 1, size = 1;
    while (top > 0) {
      const i = stack[--top];
      const x = i % L, y = (i - x) / L;
      const nbrs = [
        y * L + (x + 1) % L,
        y * L + (x + L - 1) % L,
        ((y + 1) % L) * L + x,
        ((y + L - 1) % L) * L + x,
      ];
      for (const j of nbrs) {
        if (s[j] === old && rng.uniform() < p) {
          s[j] = -old;
          stack[top++] = j;
          size++;
        }
      }
    }
    return size;
  }

  /** clusters per sweep: set by `equilibrate` so that a sweep flips about N spins */
  clustersPerSweep = 1;

  /**
   * `sweeps` sweeps to forget the start, counting the clusters that flip N spins; from then on
   * a sweep is that fixed number of clusters. (Stopping each sweep once N spins have flipped
   * instead would make its length depend on the state, and the states it stops at biased: at
   * T_c, 32 × 32, that measured the energy 1.4% too low.)
   */
  equilibrate(rng: Rng, sweeps: number): void {
    let clusters = 0, flipped = 0;
    for (let s = 0; s < sweeps; s++) {
      let f = 0;
      while (f < this.spins.length) {
        f += this.flipCluster(rng);
        clusters++;
      }
      flipped += f;
    }
    this.clustersPerSweep = Math.max(1, Math.round(clusters * this.spins.length / flipped));
  }

  /** One sweep: a fixed number of clusters (see equilibrate). */
  sweep(rng: Rng): void {
    for (let c = 0; c < this.clustersPerSweep; c++) this.flipCluster(rng);
  }

  /** Energy per spin, −(1/N) Σ over the 2N bonds of sᵢsⱼ. */
  energy(): number {
    const L = this.size, s = this.spins;
    let e = 0;
    for (let y = 0; y < L; y++) {
      for (let x = 0; x < L; x++) {
        const v = s[y * L + x];
        e -= v * (s[y * L + (x + 1) % L] + s[((y + 1) % L) * L + x]);
      }
    }
    return e / (L * L);
  }

  /** |m|, the absolute magnetisation per spin (the finite lattice's order parameter). */
  magnetisation(): number {
    let m = 0;
    for (const v of this.spins) m += v;
    return Math.abs(m) / this.spins.length;
  }
}

/** The complete elliptic integral of the first kind K(k), by the arithmetic–geometric mean. */
export function ellipticK(k: number): number {
  let a = 1, b = Math.sqrt(1 - k * k);
  for (let i = 0; i < 60 && Math.abs(a - b) > 1e-16 * a; i++) {
    [a, b] = [(a + b) / 2, Math.sqrt(a * b)];
  }
  return Math.PI / (2 * a);
}

/**
 * Onsager's energy per spin of the infinite lattice:
 * u = −coth 2K [1 + (2/π)(2 tanh² 2K − 1) K(κ)], κ = 2 sinh 2K / cosh² 2K, K = 1/T.
 * At T_c the bracket's second term is 0·∞ → 0, and u = −√2.
 */
export function onsagerEnergy(temperature: number): number {
  const K = 1 / temperature, t2 = Math.tanh(2 * K);
  const factor = 2 * t2 * t2 - 1;
  const kappa = 2 * Math.sinh(2 * K) / Math.cosh(2 * K) ** 2;
  const term = Math.abs(factor) < 1e-14 ? 0 : factor * ellipticK(Math.min(kappa, 1 - 1e-16));
  return -(1 / t2) * (1 + (2 / Math.PI) * term);
}

/** Yang's spontaneous magnetisation (1 − sinh⁻⁴(2/T))^{1/8} below T_c, 0 above. */
export function onsagerMagnetisation(temperature: number): number {
  if (temperature >= T_CRITICAL) return 0;
  return Math.pow(1 - Math.pow(Math.sinh(2 / temperature), -4), 1 / 8);
}

/** ln(2 cosh x) and ln|2 sinh x| with its sign, without overflow */
const logTwoCosh = (x: number) => Math.abs(x) + Math.log1p(Math.exp(-2 * Math.abs(x)));
function logTwoSinh(x: number): [number, number] {
  if (x === 0) return [-Infinity, 0];
  return [Math.abs(x) + Math.log1p(-Math.exp(-2 * Math.abs(x))), Math.sign(x)];
}

/**
 * ln Z of the L × L torus, exactly (Kaufman 1949):
 * Z = ½ (2 sinh 2K)^{L²/2} Σᵢ Zᵢ, with Z1, Z2 = Π_r 2cosh, 2sinh (Lγ_{2r+1}/2) and Z3, Z4 the
 * same over γ_{2r}, r = 0 … L − 1; cosh γ_l = cosh 2K coth 2K − cos(πl/L) and γ_0 = 2K + ln tanh K
 * (negative above T_c, which makes Z4 negative there).
 */
export function kaufmanLogZ(size: number, temperature: number): number {
  const K = 1 / temperature, L = size;
  const gamma = (l: number) =>
    l === 0
      ? 2 * K + Math.log(Math.tanh(K))
      : Math.acosh(Math.cosh(2 * K) / Math.tanh(2 * K) - Math.cos(Math.PI * l / L));
  const terms: [number, number][] = [[0, 1], [0, 1], [0, 1], [0, 1]]; // [ln|Zᵢ|, sign]
  for (let r = 0; r < L; r++) {
    const odd = L * gamma(2 * r + 1) / 2, even = L * gamma(2 * r) / 2;
    terms[0][0] += logTwoCosh(odd);
    const [so, sgo] = logTwoSinh(odd);
    terms[1][0] += so;
    terms[1][1] *= sgo;
    terms[2][0] += logTwoCosh(even);
    const [se, sge] = logTwoSinh(even);
    terms[3][0] += se;
    terms[3][1] *= sge;
  }
  const top = Math.max(...terms.map(([l]) => l));
  const sum = terms.reduce((s, [l, sg]) => s + sg * Math.exp(l - top), 0);
  return -Math.LN2 + (L * L / 2) * Math.log(2 * Math.sinh(2 * K)) + top + Math.log(sum);
}

/** The finite torus's exact energy per spin, −(1/N) d ln Z/dK, by a central difference. */
export function kaufmanEnergy(size: number, temperature: number): number {
  const K = 1 / temperature, h = 1e-5 * K;
  const lnZ = (k: number) => kaufmanLogZ(size, 1 / k);
  return -(lnZ(K + h) - lnZ(K - h)) / (2 * h) / (size * size);
}
