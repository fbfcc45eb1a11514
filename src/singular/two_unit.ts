/**
 * The two-hidden-unit perceptron of Amari's singularities (THEORY.md §9; Amari, Park &
 * Ozeki 2006): f(x) = v1 φ(J1·x) + v2 φ(J2·x), φ(u) = erf(u/√2), x ~ N(0, I_n), against a
 * teacher of the same form with one or two units, squared loss. Every expectation the
 * dynamics needs is a Gaussian integral in closed form — no sampling, no quadrature:
 *
 *   E φ(a·x) φ(b·x)   = (2/π) arcsin(a·b / √((1 + |a|²)(1 + |b|²)))
 *   E φ'(a·x) φ'(b·x) = (2/π) Δ^{−1/2},  Δ = det(I + aaᵀ + bbᵀ) = (1 + |a|²)(1 + |b|²) − (a·b)²
 *   E φ(a·x) φ''(b·x) = −(a·b) E φ'φ' / (1 + |b|²)                       (Stein's lemma twice)
 *   E φ'(a·x) φ'(b·x) x xᵀ = (2/π) Δ^{−1/2} (I + aaᵀ + bbᵀ)⁻¹
 *
 * θ is flat: [v1, v2, J1 (n), J2 (n)].
 *
 * @module
 */

export interface Teacher {
  readonly v: readonly number[];
  readonly J: readonly Float64Array[];
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** φ(u) = erf(u/√2)'s pair expectation E φ(a·x) φ(b·x). */
export function pairMean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const s = dot(a, b) / Math.sqrt((1 + dot(a, a)) * (1 + dot(b, b)));
  return (2 / Math.PI) * Math.asin(Math.max(-1, Math.min(1, s)));
}

/** ∂/∂a of pairMean(a, b) (the first argument only). */
export function pairMeanGrad(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const aa = 1 + dot(a, a), bb = 1 + dot(b, b), ab = dot(a, b);
  const root = Math.sqrt(aa * bb);
  const s = ab / root;
  const k = (2 / Math.PI) / Math.sqrt(Math.max(1e-300, 1 - s * s));
  return Float64Array.from(a, (ai, i) => k * (b[i] / root - (s * ai) / aa));
}

/** E φ'(a·x) φ'(b·x). */
export function slopeMean(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const aa = dot(a, a), bb = dot(b, b), ab = dot(a, b);
  return (2 / Math.PI) / Math.sqrt((1 + aa) * (1 + bb) - ab * ab);
}

/** Unpack θ = [v1, v2, J1, J2] for inputs of dimension n. */
export function units(
  theta: Float64Array,
  n: number,
): { v: [number, number]; J: [Float64Array, Float64Array] } {
  return {
    v: [theta[0], theta[1]],
    J: [theta.subarray(2, 2 + n), theta.subarray(2 + n, 2 + 2 * n)],
  };
}

/** The generalisation error ε(θ) = ½ E (f(x) − f*(x))² (noise-free; output noise adds σ²/2). */
export function generalisationError(theta: Float64Array, teacher: Teacher, n: number): number {
  const { v, J } = units(theta, n);
  let e = 0;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) e += v[i] * v[j] * pairMean(J[i], J[j]);
    for (let k = 0; k < teacher.v.length; k++) {
      e -= 2 * v[i] * teacher.v[k] * pairMean(J[i], teacher.J[k]);
    }
  }
  for (let k = 0; k < teacher.v.length; k++) {
    for (let l = 0; l < teacher.v.length; l++) {
      e += teacher.v[k] * teacher.v[l] * pairMean(teacher.J[k], teacher.J[l]);
    }
  }
  return e / 2;
}

/** ∇ε(θ), exact. */
export function errorGradient(theta: Float64Array, teacher: Teacher, n: number): Float64Array {
  const { v, J } = units(theta, n);
  const g = new Float64Array(2 + 2 * n);
  for (let i = 0; i < 2; i++) {
    let dv = 0;
    const dJ = new Float64Array(n);
    for (let j = 0; j < 2; j++) {
      dv += v[j] * pairMean(J[i], J[j]);
      const d = pairMeanGrad(J[i], J[j]);
      for (let c = 0; c < n; c++) dJ[c] += v[i] * v[j] * d[c];
    }
    for (let k = 0; k < teacher.v.length; k++) {
      dv -= teacher.v[k] * pairMean(J[i], teacher.J[k]);
      const d = pairMeanGrad(J[i], teacher.J[k]);
      for (let c = 0; c < n; c++) dJ[c] -= v[i] * teacher.v[k] * d[c];
    }
    g[i] = dv;
    g.set(dJ, 2 + i * n);
  }
  return g;
}

/** (I + aaᵀ + bbᵀ)⁻¹, by Gauss–Jordan (n ≤ 10 here). */
function inverseIPlus(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const m = new Float64Array(n * 2 * n);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) m[r * 2 * n + c] = (r === c ? 1 : 0) + a[r] * a[c] + b[r] * b[c];
    m[r * 2 * n + n + r] = 1;
  }
  for (let p = 0; p < n; p++) {
    const d = m[p * 2 * n + p]; // I + PSD: pivots stay ≥ 1, no row swaps needed
    for (let c = 0; c < 2 * n; c++) m[p * 2 * n + c] /= d;
    for (let r = 0; r < n; r++) {
      if (r === p) continue;
      const f = m[r * 2 * n + p];
      if (f === 0) continue;
      for (let c = 0; c < 2 * n; c++) m[r * 2 * n + c] -= f * m[p * 2 * n + c];
    }
  }
  const out = new Float64Array(n * n);
  for (let r = 0; r < n; r++) out.set(m.subarray(r * 2 * n + n, r * 2 * n + 2 * n), r * n);
  return out;
}

/**
 * The Fisher information G = E[∇θf ∇θfᵀ] (for unit output noise; σ² divides it), exact:
 * ∂f/∂v_i = φ(J_i·x), ∂f/∂J_i = v_i φ'(J_i·x) x.
 */
export function fisher(theta: Float64Array, n: number): Float64Array {
  const { v, J } = units(theta, n);
  const p = 2 + 2 * n;
  const g = new Float64Array(p * p);
  const set = (r: number, c: number, x: number) => {
    g[r * p + c] = x;
    g[c * p + r] = x;
  };
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      if (j >= i) set(i, j, pairMean(J[i], J[j]));
      // E φ(J_i·x) v_j φ'(J_j·x) x = v_j (E[φ'_i φ'_j] J_i + E[φ_i φ''_j] J_j)  (Stein)
      const s = slopeMean(J[i], J[j]);
      const cross = -(dot(J[i], J[j]) * s) / (1 + dot(J[j], J[j]));
      for (let c = 0; c < n; c++) set(i, 2 + j * n + c, v[j] * (s * J[i][c] + cross * J[j][c]));
      if (j < i) continue;
      const inv = inverseIPlus(J[i], J[j], n);
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < n; c++) {
          const x = v[i] * v[j] * s * inv[r * n + c];
          g[(2 + i * n + r) * p + 2 + j * n + c] = x;
          g[(2 + j * n + c) * p + 2 + i * n + r] = x;
        }
      }
    }
  }
  return g;
}
