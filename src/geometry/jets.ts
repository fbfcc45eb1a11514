/**
 * One random network (THEORY.md §1: h^l = W^l φ(h^{l−1}) + b^l, W_ij ~ N(0, σw²/N),
 * b_i ~ N(0, σb²)) carrying, besides its points, exact derivatives along curves and
 * surfaces of inputs: forward-mode Jacobian–vector products, so no finite difference
 * breaks down when a chaotic layer decorrelates neighbouring points.
 *
 *   v^l = W (φ'(h^{l−1}) ⊙ v^{l−1})                          (a tangent: ∂h/∂θ)
 *   a^l = W (φ''(h^{l−1}) ⊙ (v^{l−1})² + φ'(h^{l−1}) ⊙ a^{l−1})  (∂²h/∂θ², curves only)
 *
 * Points, tangents and second derivatives go through each layer as one stacked matrix
 * product on the run's tfjs backend. Weights are drawn in a worker from a seed taken from
 * the run's Rng (src/random/normal_matrices.ts), so a seed gives one network everywhere.
 *
 * @module
 */
import type { Tf } from "../compute/backend.ts";
import { NormalMatrices } from "../random/normal_matrices.ts";
import type { Rng } from "../random/rng.ts";
import { RunError } from "../runtime/pipeline.ts";
import type { ActivationName } from "../signal/activations.ts";

export interface NetSpec {
  readonly activation: ActivationName;
  readonly sigma_w2: number;
  readonly sigma_b2: number;
  readonly width: number;
  readonly depth: number;
}

/** What enters layer 0 (all row-major, `width` columns). */
export interface Jets {
  /** R points */
  readonly h: Float32Array;
  /** T tangents; tangent t is taken at point base[t] */
  readonly v?: Float32Array;
  readonly base?: Int32Array;
  /** second derivatives along the same T tangents (curves: a = ∂²h/∂θ²) */
  readonly a?: Float32Array;
}

/** One layer's jets, read back into TypeScript. */
export interface LayerJets {
  readonly layer: number;
  readonly h: Float32Array;
  readonly v: Float32Array | null;
  readonly a: Float32Array | null;
}

type T2 = ReturnType<Tf["tensor2d"]>;

/** φ, φ' and φ'' on tfjs tensors (the activations of src/signal/activations.ts). */
function derivatives(tf: Tf, name: ActivationName, h: T2): [T2, T2, T2] {
  switch (name) {
    case "tanh": {
      const t = tf.tanh(h);
      const d1 = tf.sub(1, tf.square(t)) as T2;
      return [t, d1, tf.mul(-2, tf.mul(t, d1)) as T2];
    }
    case "erf": {
      // φ' = (2/√π) e^{−h²}, φ'' = −2h φ'
      const d1 = tf.mul(2 / Math.sqrt(Math.PI), tf.exp(tf.neg(tf.square(h)))) as T2;
      return [tf.erf(h), d1, tf.mul(-2, tf.mul(h, d1)) as T2];
    }
    case "relu":
      return [tf.relu(h), tf.step(h), tf.zerosLike(h)];
    case "linear":
      return [h, tf.onesLike(h), tf.zerosLike(h)];
    case "hard-tanh":
      return [
        tf.clipByValue(h, -1, 1),
        tf.cast(tf.less(tf.abs(h), 1), "float32"),
        tf.zerosLike(h),
      ];
  }
}

/**
 * Layers 0…depth of one network, each yielded as soon as it is computed. Throws a
 * RunError naming the layer where float32 overflows (a chaotic net's a grows like χ1^l).
 */
export async function* forwardJets(
  tf: Tf,
  spec: NetSpec,
  input: Jets,
  rng: Rng,
  tick: () => Promise<void>,
): AsyncGenerator<LayerJets> {
  const n = spec.width;
  const rows = input.h.length / n;
  const tangents = input.v ? input.v.length / n : 0;
  if (!Number.isInteger(rows) || !Number.isInteger(tangents)) {
    throw new RangeError(`forwardJets: inputs are not rows of width ${n}`);
  }
  if (input.a && !input.v) throw new RangeError("forwardJets: second derivatives need tangents");
  const weights = new NormalMatrices(rng.int32() >>> 0, n * n, Math.sqrt(spec.sigma_w2 / n));
  let h = tf.tensor2d(input.h, [rows, n]);
  let v = input.v ? tf.tensor2d(input.v, [tangents, n]) : null;
  let a = input.a ? tf.tensor2d(input.a, [tangents, n]) : null;
  const base = input.base ? tf.tensor1d(input.base, "int32") : null;
  try {
    yield { layer: 0, h: input.h, v: input.v ?? null, a: input.a ?? null };
    const bStd = Math.sqrt(spec.sigma_b2);
    for (let l = 1; l <= spec.depth; l++) {
      // W is i.i.d., so Wᵀ has its law: draw [N_in, N_out] and multiply rows by it
      const w = await weights.next();
      const bias = new Float32Array(n);
      if (bStd > 0) rng.fillNormal(bias, bStd);
      const next: T2[] = tf.tidy(() => {
        const [phi, d1, d2] = derivatives(tf, spec.activation, h);
        const parts: T2[] = [phi];
        if (v) {
          const at = (x: T2) => (base ? tf.gather(x, base) : x) as T2;
          const d1t = at(d1);
          parts.push(tf.mul(d1t, v));
          if (a) parts.push(tf.add(tf.mul(at(d2), tf.square(v)), tf.mul(d1t, a)));
        }
        const out = tf.matMul(parts.length > 1 ? tf.concat(parts, 0) : phi, tf.tensor2d(w, [n, n]));
        const res: T2[] = [tf.add(out.slice([0, 0], [rows, n]), tf.tensor1d(bias)) as T2];
        if (v) res.push(out.slice([rows, 0], [tangents, n]) as T2);
        if (a) res.push(out.slice([rows + tangents, 0], [tangents, n]) as T2);
        return res;
      });
      h.dispose();
      v?.dispose();
      a?.dispose();
      [h, v, a] = [next[0], v ? next[1] : null, a ? next[2] : null];
      const out: LayerJets = {
        layer: l,
        h: h.dataSync() as Float32Array,
        v: v ? v.dataSync() as Float32Array : null,
        a: a ? a.dataSync() as Float32Array : null,
      };
      for (const x of [out.h, out.v, out.a]) {
        if (x && !x.every(Number.isFinite)) {
          throw new RunError(
            `the network overflowed float32 at layer ${l} (σw² = ${spec.sigma_w2}: derivatives grow like χ1^l); use fewer layers`,
            { layer: l },
          );
        }
      }
      await tick();
      yield out;
    }
  } finally {
    weights.close();
    for (const x of [h, v, a, base]) if (x && !x.isDisposed) x.dispose();
  }
}
