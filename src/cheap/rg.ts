/**
 * Stacked RBMs read as a renormalisation group (Mehta & Schwab 2014): each hidden unit's
 * receptive field on the lattice, and the flow of the spins' order across layers.
 *
 * A unit of layer ℓ sees the lattice through W1·W2⋯Wℓ (its effective receptive field: the
 * product of the weight matrices below it, as Mehta & Schwab draw them). Its position is
 * the field's centre on the torus and its size the field's radius; a unit is "up" when it
 * fires in the direction its field points (the sign of the field's sum), so a layer's units
 * can be read as coarse spins: their magnetisation, and the correlation of each with its
 * nearest neighbour (by centre), per layer — block spins' order parameter and bond.
 *
 * @module
 */
import type { Rng } from "../random/rng.ts";
import { sigmoid } from "./activations.ts";

/** One trained layer: W (nIn × nOut, input-major) and hidden biases c. */
export interface Layer {
  readonly nIn: number;
  readonly nOut: number;
  readonly W: ArrayLike<number>;
  readonly c: ArrayLike<number>;
}

/** W1·W2⋯Wℓ for ℓ = 1 … layers.length: each nv × nOut_ℓ, float64. */
export function effectiveFields(layers: readonly Layer[]): Float64Array[] {
  const out: Float64Array[] = [];
  let prev: Float64Array | null = null, rows = layers[0].nIn;
  for (const layer of layers) {
    const next = new Float64Array(rows * layer.nOut);
    if (prev === null) {
      for (let q = 0; q < next.length; q++) next[q] = layer.W[q];
    } else {
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < layer.nIn; k++) {
          const a = prev[r * layer.nIn + k];
          if (a === 0) continue;
          for (let j = 0; j < layer.nOut; j++) {
            next[r * layer.nOut + j] += a * layer.W[k * layer.nOut + j];
          }
        }
      }
    }
    out.push(next);
    prev = next;
    rows = layers[0].nIn;
  }
  return out;
}

export interface FieldShape {
  /** centre on the L × L torus: the peak of the field's w² summed over 3 × 3 blocks */
  readonly cx: number;
  readonly cy: number;
  /** √(Σ w² d² / Σ w²), d the torus distance from the centre */
  readonly radius: number;
  /** the fraction of Σ w² within distance LOCAL_RADIUS of the centre */
  readonly locality: number;
  /** sign of Σ w: which way the unit's "up" points */
  readonly orientation: 1 | -1;
}

/** the disc that `locality` counts: 29 sites, 2.8% of a 32 × 32 lattice */
export const LOCAL_RADIUS = 3;

const torus = (a: number, b: number, L: number) => {
  const d = Math.abs(a - b) % L;
  return Math.min(d, L - d);
};

/**
 * The shape of unit j's field (column j of an nv × n field matrix over an L × L lattice). The
 * centre is the field's strongest 3 × 3 block, not its mean position: a field with one strong
 * patch and faint weights elsewhere is centred on the patch.
 */
export function fieldShape(field: Float64Array, n: number, j: number, L: number): FieldShape {
  const w2 = (x: number, y: number) => field[(((y + L) % L) * L + ((x + L) % L)) * n + j] ** 2;
  let cx = 0, cy = 0, peak = -1, total = 0, sum = 0;
  for (let y = 0; y < L; y++) {
    for (let x = 0; x < L; x++) {
      let block = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) block += w2(x + dx, y + dy);
      if (block > peak) [peak, cx, cy] = [block, x, y];
      total += w2(x, y);
      sum += field[(y * L + x) * n + j];
    }
  }
  let m2 = 0, near = 0;
  for (let y = 0; y < L; y++) {
    for (let x = 0; x < L; x++) {
      const d2 = torus(x, cx, L) ** 2 + torus(y, cy, L) ** 2;
      m2 += w2(x, y) * d2;
      if (d2 <= LOCAL_RADIUS ** 2) near += w2(x, y);
    }
  }
  return {
    cx,
    cy,
    radius: Math.sqrt(m2 / total),
    locality: near / total,
    orientation: sum >= 0 ? 1 : -1,
  };
}

/** A field spread evenly over the L × L torus: its radius and locality, the "not local" reference. */
export function uniformShape(L: number): { radius: number; locality: number } {
  let m2 = 0, near = 0;
  for (let x = 0; x < L; x++) {
    for (let y = 0; y < L; y++) {
      const d2 = torus(x, 0, L) ** 2 + torus(y, 0, L) ** 2;
      m2 += d2;
      if (d2 <= LOCAL_RADIUS ** 2) near++;
    }
  }
  return { radius: Math.sqrt(m2 / (L * L)), locality: near / (L * L) };
}

/** each unit's nearest other unit by centre on the torus */
export function nearestNeighbours(shapes: readonly FieldShape[], L: number): number[] {
  return shapes.map((a, i) => {
    let best = -1, d = Infinity;
    shapes.forEach((b, j) => {
      if (j === i) return;
      const e = torus(a.cx, b.cx, L) ** 2 + torus(a.cy, b.cy, L) ** 2;
      if (e < d) [d, best] = [e, j];
    });
    return best;
  });
}

export interface Order {
  /** ⟨|Σᵢ oᵢsᵢ| / n⟩ over samples, sᵢ = ±1 the unit's state, oᵢ its orientation */
  readonly magnetisation: number;
  /** ⟨oᵢsᵢ · oⱼsⱼ⟩ over units i and their nearest neighbour j, and over samples */
  readonly correlation: number;
}

/** Magnetisation and nearest-neighbour correlation of ±1 states (rows × n). */
export function order(
  states: Int8Array,
  rows: number,
  orientation: readonly number[],
  neighbour: readonly number[],
): Order {
  const n = orientation.length;
  let m = 0, c = 0;
  for (let r = 0; r < rows; r++) {
    const s = states.subarray(r * n, r * n + n);
    let sum = 0, bond = 0;
    for (let i = 0; i < n; i++) {
      sum += orientation[i] * s[i];
      bond += orientation[i] * s[i] * orientation[neighbour[i]] * s[neighbour[i]];
    }
    m += Math.abs(sum) / n;
    c += bond / n;
  }
  return { magnetisation: m / rows, correlation: c / rows };
}

/** Sample each layer's units upward from visible 0/1 data (rows × nv): ±1 states per layer. */
export function propagate(layers: readonly Layer[], data: Float32Array, rows: number, rng: Rng) {
  const states: Int8Array[] = [];
  let input: Float32Array = data;
  for (const layer of layers) {
    const next = new Float32Array(rows * layer.nOut);
    const spins = new Int8Array(rows * layer.nOut);
    const pre = new Float64Array(layer.nOut);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < layer.nOut; j++) pre[j] = layer.c[j];
      for (let i = 0; i < layer.nIn; i++) {
        const x = input[r * layer.nIn + i];
        if (x === 0) continue;
        for (let j = 0; j < layer.nOut; j++) pre[j] += x * layer.W[i * layer.nOut + j];
      }
      for (let j = 0; j < layer.nOut; j++) {
        const h = rng.uniform() < sigmoid(pre[j]) ? 1 : 0;
        next[r * layer.nOut + j] = h;
        spins[r * layer.nOut + j] = h ? 1 : -1;
      }
    }
    states.push(spins);
    input = next;
  }
  return states;
}

/**
 * The layer's units read as block spins of ±1 lattice configurations (rows × L²): unit j's
 * spin is the sign of its effective field's overlap with the configuration, Σᵢ Fᵢⱼσᵢ — the
 * RBM's upward pass without its biases and noise, i.e. the learned kernel used as a
 * block-spin rule. Being odd in σ it keeps the Ising model's up–down symmetry, which a 0/1
 * unit's bias would break (a unit that is mostly off would read as "magnetised").
 */
export function blockSpins(
  field: Float64Array,
  n: number,
  spins: Int8Array,
  rows: number,
): Int8Array {
  const nv = spins.length / rows, out = new Int8Array(rows * n), acc = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let i = 0; i < nv; i++) {
      const s = spins[r * nv + i];
      for (let j = 0; j < n; j++) acc[j] += s * field[i * n + j];
    }
    for (let j = 0; j < n; j++) out[r * n + j] = acc[j] >= 0 ? 1 : -1;
  }
  return out;
}
