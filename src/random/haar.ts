/**
 * Haar-random orthogonal matrices kept as Householder reflectors, applied to a matrix without
 * ever being formed (Stewart 1980, "The efficient generation of random orthogonal matrices with
 * an application to condition estimators"; Mezzadri 2007 §5).
 *
 * Why this is Haar: Householder QR of a Gaussian Z gives Z = H_0 ⋯ H_{n−2} R̃, and the Q with
 * R's diagonal positive — Haar-distributed, whatever computes it — is H_0 ⋯ H_{n−2} Λ with
 * Λ = diag(sign R̃_jj). Reflector j is built from column j after H_0 … H_{j−1}, and by the
 * Gaussian's rotation invariance that column's entries j… are n − j fresh standard normals,
 * independent of the reflectors before: so we draw those normals directly. H_j maps its
 * vector x to −sign(x_0)‖x‖ e_0, hence Λ_jj = −sign(x_0), and Λ's last entry is the sign of a
 * normal. Drawing costs n²/2 normals and no arithmetic worth counting; applying Q to an n × n
 * matrix costs 2n³ (the reflectors, blocked), against 4n³ to form Q by Gram–Schmidt twice and
 * 2n³ more to multiply by it: what makes `isometry`'s width-1000 draws 3× faster.
 *
 * Applying: blocks of REFLECTOR_BLOCK reflectors in the compact WY form (Schreiber & Van Loan
 * 1989; LAPACK dlarft/dlarfb): H_{j0} ⋯ H_{j0+b−1} = I − V T Vᵀ, T upper triangular, so a block
 * costs three matrix products (Vᵀ M, T·, V ·), on the float64 kernel pool when one is started.
 *
 * @module
 */
import type { Rng } from "./rng.ts";
import { matmul } from "../numerics/matmul.ts";

/** Reflectors per compact-WY block: the products' inner size (64 is thin for the kernels, 256 costs T's O(b²n) more). */
const REFLECTOR_BLOCK = 128;

interface Block {
  /** first reflector's index (its rows j0…n−1 are the block's) */
  readonly j0: number;
  /** b × (n − j0), row i reflector j0 + i's vector (zero before entry i, 1 at entry i) */
  readonly vt: Float64Array;
  /** the same, transposed: (n − j0) × b */
  readonly v: Float64Array;
  /** b × b upper triangular: the block is I − V T Vᵀ */
  readonly t: Float64Array;
  /** reflectors in the block */
  readonly b: number;
}

/** A Haar-distributed n × n orthogonal matrix Q = H_0 ⋯ H_{n−2} Λ, as reflectors and signs. */
export class HaarOrthogonal {
  readonly #blocks: Block[] = [];
  /** Λ's diagonal, ±1 */
  readonly signs: Float64Array;

  constructor(readonly n: number, rng: Rng) {
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`HaarOrthogonal: n must be a positive integer, got ${n}`);
    }
    this.signs = new Float64Array(n);
    const x = new Float64Array(n);
    for (let j0 = 0; j0 < n - 1; j0 += REFLECTOR_BLOCK) {
      const b = Math.min(REFLECTOR_BLOCK, n - 1 - j0);
      const len = n - j0;
      const vt = new Float64Array(b * len);
      const beta = new Float64Array(b);
      for (let i = 0; i < b; i++) {
        const j = j0 + i;
        const xs = x.subarray(0, n - j);
        rng.fillNormal(xs);
        // v = x + sign(x_0)‖x‖ e_0, scaled so v_0 = 1 (LAPACK's dlarfg): no cancellation
        let norm2 = 0;
        for (let k = 0; k < xs.length; k++) norm2 += xs[k] * xs[k];
        const s = xs[0] >= 0 ? 1 : -1;
        const v0 = xs[0] + s * Math.sqrt(norm2);
        const row = vt.subarray(i * len + i, (i + 1) * len);
        row[0] = 1;
        let vv = 1;
        for (let k = 1; k < xs.length; k++) {
          row[k] = xs[k] / v0;
          vv += row[k] * row[k];
        }
        beta[i] = 2 / vv;
        this.signs[j] = -s;
      }
      const v = new Float64Array(len * b);
      for (let i = 0; i < b; i++) for (let k = 0; k < len; k++) v[k * b + i] = vt[i * len + k];
      // T (dlarft, forward, columnwise): T_ii = β_i, T_{<i,i} = −β_i T_{<i,<i} (V_{<i}ᵀ v_i)
      const g = matmul(vt, vt, b, len, b, { transB: true }); // Vᵀ V
      const t = new Float64Array(b * b);
      for (let i = 0; i < b; i++) {
        for (let r = 0; r < i; r++) {
          let sum = 0;
          for (let c = r; c < i; c++) sum += t[r * b + c] * g[c * b + i];
          t[r * b + i] = -beta[i] * sum;
        }
        t[i * b + i] = beta[i];
      }
      this.#blocks.push({ j0, vt, v, t, b });
    }
    this.signs[n - 1] = rng.normal() >= 0 ? 1 : -1;
  }

  /** M ← Q M in place, M n × cols row-major. */
  applyLeft(m: Float64Array, cols: number): void {
    const n = this.n;
    if (m.length !== n * cols) {
      throw new RangeError(`HaarOrthogonal.applyLeft: ${m.length} entries for ${n} × ${cols}`);
    }
    for (let r = 0; r < n; r++) {
      const s = this.signs[r];
      if (s < 0) { for (let c = r * cols; c < (r + 1) * cols; c++) m[c] = -m[c]; }
    }
    // Q M = H_0 (⋯ (H_{n−2} Λ M)): the last block first
    for (let k = this.#blocks.length - 1; k >= 0; k--) {
      const { j0, vt, v, t, b } = this.#blocks[k];
      const len = n - j0;
      const rows = m.subarray(j0 * cols);
      const y = matmul(vt, rows, b, len, cols); // Vᵀ M
      const ty = matmul(t, y, b, b, cols); // T Vᵀ M
      rows.set(matmul(v, ty, len, b, cols, { alpha: -1, c: rows })); // M − V T Vᵀ M
    }
  }

  /** The matrix itself, row-major (Q I): for tests and small uses. */
  toDense(): Float64Array {
    const q = new Float64Array(this.n * this.n);
    for (let i = 0; i < this.n; i++) q[i * this.n + i] = 1;
    this.applyLeft(q, this.n);
    return q;
  }
}
