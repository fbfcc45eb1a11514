/**
 * Starting weights for a deep linear net W_D ⋯ W_1 (THEORY.md §2; Saxe et al.
 * 2014 §3–4). dims = [n_0 (inputs), n_1 … n_{D−1} (hidden), n_D (outputs)];
 * W_l is n_l × n_{l−1}, row-major float64.
 *
 * - decoupled: W_l = R_l diag(b) R_{l−1}ᵀ with R_0 = V, R_D = U from the SVD of
 *   Σ31 and b = a0^{1/D}, so every mode starts at strength a0 (the analytic start);
 * - orthogonal: a0^{1/D} times a random (semi-)orthogonal matrix (Gram–Schmidt of a
 *   Gaussian), so W_tot has every singular value a0, in random directions.
 *   `identityFrame` writes the same start in the frame where every square hidden layer is
 *   a0^{1/D} I: gradient descent commutes with W_l → O_l W_l O_{l−1}ᵀ for orthogonal O_l
 *   (W_tot, the loss and every step's norms unchanged), choosing O_l = O_{l−1} Q_lᵀ turns
 *   Q_2 … Q_{D−1} into I, and the outer layers that result, Q_1 and Q_D O_{D−1}ᵀ, are again
 *   independent random (semi-)orthogonal matrices. Same training, two Gram–Schmidts instead
 *   of D (1.9 s each at width 1000 with the earlier column-by-column loop); hidden representations are rotated, so only for runs
 *   that report nothing layer-internal (tests/linear_fused_test.ts checks the equivalence);
 * - gaussian: i.i.d. N(0, a0^{2/D}/n_{l−1}), norm-preserving on average only;
 * - small: i.i.d. N(0, init_std²).
 *
 * @module
 */
import type { Svd } from "../numerics/svd.ts";
import type { Rng } from "../random/rng.ts";
import { matmul } from "../numerics/matmul.ts";

export const INITS = ["decoupled", "orthogonal", "gaussian", "small"] as const;
export type Init = typeof INITS[number];

/** Columns per block of the blocked Gram–Schmidt (its projections are products of this height). */
const GS_BLOCK = 64;

/**
 * Columns of a Gaussian made orthonormal: rows × cols, cols ≤ rows, column-major. The
 * Q of the QR with R's diagonal positive, which is unique, so however it is computed the
 * law is Haar's. Column blocks of GS_BLOCK: each block's projection on the columns before it
 * is two matrix products, done twice ("twice is enough": Giraud, Langou & Rozložník 2005,
 * block CGS2), on the float64 kernel pool when one is started; inside a block, modified
 * Gram–Schmidt, also twice. About 4·rows·cols² flops, nearly all in products.
 */
export function orthonormalColumns(rows: number, cols: number, rng: Rng): Float64Array {
  const q = new Float64Array(rows * cols); // column-major: row j of this array is column j
  rng.fillNormal(q);
  for (let j0 = 0; j0 < cols; j0 += GS_BLOCK) {
    const b = Math.min(GS_BLOCK, cols - j0);
    const x = q.subarray(j0 * rows, (j0 + b) * rows);
    const done = q.subarray(0, j0 * rows);
    for (let pass = 0; pass < 2 && j0 > 0; pass++) {
      const coef = matmul(x, done, b, rows, j0, { transB: true }); // b × j0
      x.set(matmul(coef, done, b, j0, rows, { alpha: -1, c: x }));
    }
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < b; j++) {
        const cj = x.subarray(j * rows, (j + 1) * rows);
        for (let k = 0; k < j; k++) {
          const ck = x.subarray(k * rows, (k + 1) * rows);
          let dot = 0;
          for (let i = 0; i < rows; i++) dot += ck[i] * cj[i];
          for (let i = 0; i < rows; i++) cj[i] -= dot * ck[i];
        }
        let norm = 0;
        for (let i = 0; i < rows; i++) norm += cj[i] * cj[i];
        norm = Math.sqrt(norm);
        for (let i = 0; i < rows; i++) cj[i] /= norm;
      }
    }
  }
  return q;
}

/** A random n_out × n_in matrix with orthonormal rows or columns (whichever are fewer), row-major. */
export function randomOrthogonal(nOut: number, nIn: number, rng: Rng): Float64Array {
  const tall = nOut >= nIn;
  const rows = tall ? nOut : nIn;
  const cols = tall ? nIn : nOut;
  const q = orthonormalColumns(rows, cols, rng);
  const w = new Float64Array(nOut * nIn);
  for (let i = 0; i < nOut; i++) {
    for (let j = 0; j < nIn; j++) w[i * nIn + j] = tall ? q[j * rows + i] : q[i * rows + j];
  }
  return w;
}

export interface InitSpec {
  readonly dims: readonly number[];
  readonly init: Init;
  readonly a0: number;
  readonly initStd: number;
  /** orthogonal only, equal hidden widths: hidden layers a0^{1/D} I (see above) */
  readonly identityFrame?: boolean;
}

/** The D weight matrices. `svd` (of Σ31, outputs × inputs) is needed for `decoupled`. */
export function initialWeights(spec: InitSpec, rng: Rng, svd?: Svd): Float64Array[] {
  const { dims, init, a0 } = spec;
  const depth = dims.length - 1;
  const gain = Math.pow(a0, 1 / depth);
  const out: Float64Array[] = [];
  if (init === "decoupled") {
    if (!svd) throw new Error("decoupled init needs the SVD of Σ31");
    // Modes that fit through every layer: rank of Σ31 and the narrowest layer.
    const k = svd.s.length;
    const r = Math.min(k, ...dims.slice(1, -1), svd.s.filter((x) => x > 1e-12 * svd.s[0]).length);
    // R_l: n_l × r with orthonormal columns (row-major); the hidden ones are the first r unit
    // vectors, so W_l = Σ_m R_l[:, m] b R_{l−1}[:, m]ᵀ visits only R_l's nonzero entries.
    const basis = (l: number): Float64Array => {
      const n = dims[l];
      const R = new Float64Array(n * r);
      for (let i = 0; i < n; i++) {
        for (let m = 0; m < r; m++) {
          R[i * r + m] = l === 0
            ? svd.v.data[i * k + m]
            : l === depth
            ? svd.u.data[i * k + m]
            : Number(i === m);
        }
      }
      return R;
    };
    let below = basis(0);
    for (let l = 1; l <= depth; l++) {
      const [nOut, nIn] = [dims[l], dims[l - 1]];
      const above = basis(l);
      const w = new Float64Array(nOut * nIn);
      for (let i = 0; i < nOut; i++) {
        for (let m = 0; m < r; m++) {
          const x = gain * above[i * r + m];
          if (x === 0) continue;
          for (let j = 0; j < nIn; j++) w[i * nIn + j] += x * below[j * r + m];
        }
      }
      out.push(w);
      below = above;
    }
    return out;
  }
  for (let l = 1; l <= depth; l++) {
    const [nOut, nIn] = [dims[l], dims[l - 1]];
    let w: Float64Array;
    if (init === "orthogonal" && spec.identityFrame && l > 1 && l < depth && nOut === nIn) {
      w = new Float64Array(nOut * nIn);
      for (let i = 0; i < nOut; i++) w[i * nIn + i] = gain;
    } else if (init === "orthogonal") w = randomOrthogonal(nOut, nIn, rng).map((x) => gain * x);
    else {
      w = new Float64Array(nOut * nIn);
      rng.fillNormal(w, init === "gaussian" ? gain / Math.sqrt(nIn) : spec.initStd);
    }
    out.push(w);
  }
  return out;
}
