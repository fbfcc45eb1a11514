/**
 * A kernel matrix kept in the float64 pool's memory while a deep recursion maps it layer by
 * layer (src/gp/kernel.ts): K (and Θ) are copied in once, each layer is one `layerMap` job
 * over all their entries on every thread, and they are copied out once at the end, instead
 * of twice a layer. The pool's arena belongs to this object until `copyOut`: no other pool
 * call may come in between (it would reset the arena).
 *
 * @module
 */
import type { EntrywiseMap } from "./entrywise.ts";
import type { F64Pool } from "./pool.ts";

export class ResidentKernel {
  readonly #pool: F64Pool;
  readonly #parts: Float64Array[];
  readonly #theta: Float64Array[] | null;
  readonly #kAt: number;
  readonly #tAt: number;
  readonly #count: number;

  /** K's parts (train, cross…) side by side, and Θ's in the same order when given. */
  constructor(pool: F64Pool, parts: Float64Array[], theta: Float64Array[] | null) {
    this.#pool = pool;
    this.#parts = parts;
    this.#theta = theta;
    this.#count = parts.reduce((s, p) => s + p.length, 0);
    pool.reset();
    this.#kAt = pool.alloc(8 * this.#count) / 8;
    this.#tAt = theta ? pool.alloc(8 * this.#count) / 8 : -1;
    const mem = pool.f64();
    let at = 0;
    for (const [i, p] of parts.entries()) {
      mem.set(p, this.#kAt + at);
      if (theta) mem.set(theta[i], this.#tAt + at);
      at += p.length;
    }
  }

  /** One layer: K ← σb² + σw² pair(K/q), Θ ← K + σw² slope(K/q) Θ (entrywise.ts's layerStep). */
  step(map: EntrywiseMap, sigmaB2: number, sigmaW2: number): void {
    let tablesAt;
    if (map.tables) {
      const { f, df, g, dg } = map.tables;
      const at = [f, df, g, dg].map((x) => this.#pool.alloc(8 * x.length) / 8);
      const mem = this.#pool.f64();
      [f, df, g, dg].forEach((x, i) => mem.set(x, at[i]));
      tablesAt = { f: at[0], df: at[1], g: at[2], dg: at[3] };
    }
    this.#pool.layerMap({
      map,
      kAt: this.#kAt,
      tAt: this.#tAt,
      count: this.#count,
      tablesAt,
      sigmaB2,
      sigmaW2,
    });
  }

  /** K's part i as it is now (a view: read it before the next step). */
  part(i: number): Float64Array {
    const at = this.#kAt + this.#parts.slice(0, i).reduce((s, p) => s + p.length, 0);
    return this.#pool.f64().subarray(at, at + this.#parts[i].length);
  }

  /** Write K and Θ back into the arrays they came from. */
  copyOut(): void {
    const mem = this.#pool.f64();
    let at = 0;
    for (const [i, p] of this.#parts.entries()) {
      p.set(mem.subarray(this.#kAt + at, this.#kAt + at + p.length));
      if (this.#theta) this.#theta[i].set(mem.subarray(this.#tAt + at, this.#tAt + at + p.length));
      at += p.length;
    }
  }
}
