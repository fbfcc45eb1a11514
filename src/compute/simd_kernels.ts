/**
 * Float32 matrix products as WebAssembly SIMD (float32 × 4): the two loops of a deep
 * linear net's gradient step, for nets too wide for tfjs-wasm to step quickly, and the
 * plain product `rowmat` that the diffusion model's batched trainer is built from
 * (src/diffusion/simd_model.ts: there tfjs-wasm pays ≈ 0.1–1 ms an op on 200 × 64 tensors).
 *
 * Why not tfjs: its wasm matMul hands the right operand to XNNPACK as "weights"
 * and packs them once per tensor, so A·W with a W that changes every step pays
 * a 1000 × 1000 repack each time (≈ 13 ms against 2 ms when cached), and every
 * update allocates a fresh n × n tensor. These loops read W in place, once for
 * the top-down product and once for the fused update, and allocate nothing
 * (docs/benchmarks.md: ≈ 14 → ≈ 7 ms per 1000 × 1000 layer).
 *
 * Layout: row-major float32, every row length a multiple of 4 (zero padded, so
 * the pads stay zero), byte pointers into one shared memory. The text is
 * assembled by wabt at first use (≈ 40 ms), or handed in prebuilt in a browser (wat.ts).
 *
 * @module
 */

/** A float32 constant in all four lanes. */
const splat = (x: number) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;

/** c_0 + x²(c_1 + x²(c_2 + …)) over four lanes, x² in the local $x2 (tanh32.ts's fit). */
const horner = (c: readonly number[]): string =>
  c.slice(0, -1).reduceRight(
    (inner, ci) => `(f32x4.add ${splat(ci)} (f32x4.mul (local.get $x2) ${inner}))`,
    splat(c[c.length - 1]),
  );

const WAT = `(module
  (import "env" "memory" (memory 1 65536))

  ;; out (m × sIn) = a (m × sOut) · w (sOut × sIn). sOut, sIn multiples of 4.
  ;; Four rows of w at a time against each row of a: out's row stays in cache.
  (func (export "rowmat")
    (param $a i32) (param $m i32) (param $w i32) (param $sOut i32) (param $sIn i32) (param $out i32)
    (local $rb i32) (local $i i32) (local $k i32) (local $j i32) (local $ap i32) (local $o i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local.set $rb (i32.shl (local.get $sIn) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $m) (local.get $rb)))
    (block $endI (loop $nextI
      (br_if $endI (i32.ge_u (local.get $i) (local.get $sOut)))
      (local.set $w0 (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rb))))
      (local.set $w1 (i32.add (local.get $w0) (local.get $rb)))
      (local.set $w2 (i32.add (local.get $w1) (local.get $rb)))
      (local.set $w3 (i32.add (local.get $w2) (local.get $rb)))
      (local.set $k (i32.const 0))
      (block $endK (loop $nextK
        (br_if $endK (i32.ge_u (local.get $k) (local.get $m)))
        (local.set $ap (i32.add (local.get $a)
          (i32.shl (i32.add (i32.mul (local.get $k) (local.get $sOut)) (local.get $i)) (i32.const 2))))
        (local.set $s0 (f32x4.splat (f32.load (local.get $ap))))
        (local.set $s1 (f32x4.splat (f32.load offset=4 (local.get $ap))))
        (local.set $s2 (f32x4.splat (f32.load offset=8 (local.get $ap))))
        (local.set $s3 (f32x4.splat (f32.load offset=12 (local.get $ap))))
        (local.set $o (i32.add (local.get $out) (i32.mul (local.get $k) (local.get $rb))))
        (local.set $j (i32.const 0))
        (block $endJ (loop $nextJ
          (br_if $endJ (i32.ge_u (local.get $j) (local.get $rb)))
          (v128.store (i32.add (local.get $o) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $o) (local.get $j)))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $s0) (v128.load (i32.add (local.get $w0) (local.get $j))))
                  (f32x4.mul (local.get $s1) (v128.load (i32.add (local.get $w1) (local.get $j)))))
                (f32x4.add
                  (f32x4.mul (local.get $s2) (v128.load (i32.add (local.get $w2) (local.get $j))))
                  (f32x4.mul (local.get $s3) (v128.load (i32.add (local.get $w3) (local.get $j))))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $nextJ)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $nextK)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $nextI)))
  )

  ;; One layer of the step, row by row of w (sOut × sIn), m even:
  ;;   cNext[k, i] = Σ_j w[i, j] c[k, j]        (C_l = C_{l−1} W_lᵀ, with the old w)
  ;;   w[i, j]   += lr Σ_k a[k, i] c[k, j]      (W_l += λ A_lᵀ C_{l−1})
  ;; a is m × sOut, c is m × sIn, cNext is m × sOut.
  (func (export "update")
    (param $w i32) (param $sOut i32) (param $sIn i32) (param $a i32) (param $m i32)
    (param $c i32) (param $cNext i32) (param $lr f32)
    (local $rb i32) (local $i i32) (local $k i32) (local $j i32) (local $wr i32)
    (local $c0 i32) (local $c1 i32) (local $p i32) (local $wv v128)
    (local $acc0 v128) (local $acc1 v128) (local $g0 v128) (local $g1 v128)
    (local.set $rb (i32.shl (local.get $sIn) (i32.const 2)))
    (block $endI (loop $nextI
      (br_if $endI (i32.ge_u (local.get $i) (local.get $sOut)))
      (local.set $wr (i32.add (local.get $w) (i32.mul (local.get $i) (local.get $rb))))
      ;; the row's dot products with every row of c, before it changes
      (local.set $k (i32.const 0))
      (block $endK (loop $nextK
        (br_if $endK (i32.ge_u (local.get $k) (local.get $m)))
        (local.set $c0 (i32.add (local.get $c) (i32.mul (local.get $k) (local.get $rb))))
        (local.set $c1 (i32.add (local.get $c0) (local.get $rb)))
        (local.set $acc0 (v128.const i32x4 0 0 0 0))
        (local.set $acc1 (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $endJ (loop $nextJ
          (br_if $endJ (i32.ge_u (local.get $j) (local.get $rb)))
          (local.set $wv (v128.load (i32.add (local.get $wr) (local.get $j))))
          (local.set $acc0 (f32x4.add (local.get $acc0)
            (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $c0) (local.get $j))))))
          (local.set $acc1 (f32x4.add (local.get $acc1)
            (f32x4.mul (local.get $wv) (v128.load (i32.add (local.get $c1) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $nextJ)))
        (local.set $p (i32.add (local.get $cNext)
          (i32.shl (i32.add (i32.mul (local.get $k) (local.get $sOut)) (local.get $i)) (i32.const 2))))
        (f32.store (local.get $p) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc0)) (f32x4.extract_lane 1 (local.get $acc0)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc0)) (f32x4.extract_lane 3 (local.get $acc0)))))
        (f32.store (i32.add (local.get $p) (i32.shl (local.get $sOut) (i32.const 2))) (f32.add
          (f32.add (f32x4.extract_lane 0 (local.get $acc1)) (f32x4.extract_lane 1 (local.get $acc1)))
          (f32.add (f32x4.extract_lane 2 (local.get $acc1)) (f32x4.extract_lane 3 (local.get $acc1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $nextK)))
      ;; then the rank-m update of the row
      (local.set $k (i32.const 0))
      (block $endK2 (loop $nextK2
        (br_if $endK2 (i32.ge_u (local.get $k) (local.get $m)))
        (local.set $p (i32.add (local.get $a)
          (i32.shl (i32.add (i32.mul (local.get $k) (local.get $sOut)) (local.get $i)) (i32.const 2))))
        (local.set $g0 (f32x4.splat (f32.mul (local.get $lr) (f32.load (local.get $p)))))
        (local.set $g1 (f32x4.splat (f32.mul (local.get $lr)
          (f32.load (i32.add (local.get $p) (i32.shl (local.get $sOut) (i32.const 2)))))))
        (local.set $c0 (i32.add (local.get $c) (i32.mul (local.get $k) (local.get $rb))))
        (local.set $c1 (i32.add (local.get $c0) (local.get $rb)))
        (local.set $j (i32.const 0))
        (block $endJ2 (loop $nextJ2
          (br_if $endJ2 (i32.ge_u (local.get $j) (local.get $rb)))
          (v128.store (i32.add (local.get $wr) (local.get $j))
            (f32x4.add (v128.load (i32.add (local.get $wr) (local.get $j)))
              (f32x4.add
                (f32x4.mul (local.get $g0) (v128.load (i32.add (local.get $c0) (local.get $j))))
                (f32x4.mul (local.get $g1) (v128.load (i32.add (local.get $c1) (local.get $j)))))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $nextJ2)))
        (local.set $k (i32.add (local.get $k) (i32.const 2)))
        (br $nextK2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nextI)))
  )

  ;; act[e, j] = tanh(act[e, j] + b[j]) for rows e < rows, n (a multiple of 4) columns: the
  ;; rational fit of tanh32.ts evaluated in float32, four lanes at a time (clamped at ±7.905…)
  (func (export "bias_tanh")
    (param $act i32) (param $rows i32) (param $n i32) (param $b i32)
    (local $e i32) (local $j i32) (local $p i32) (local $rb i32) (local $x v128) (local $x2 v128)
    (local.set $rb (i32.shl (local.get $n) (i32.const 2)))
    (block $endE (loop $nextE
      (br_if $endE (i32.ge_u (local.get $e) (local.get $rows)))
      (local.set $p (i32.add (local.get $act) (i32.mul (local.get $e) (local.get $rb))))
      (local.set $j (i32.const 0))
      (block $endJ (loop $nextJ
        (br_if $endJ (i32.ge_u (local.get $j) (local.get $rb)))
        (local.set $x (f32x4.add (v128.load (i32.add (local.get $p) (local.get $j)))
          (v128.load (i32.add (local.get $b) (local.get $j)))))
        (local.set $x (f32x4.min (f32x4.max (local.get $x) ${splat(-TANH32_CLAMP)}) ${
  splat(TANH32_CLAMP)
}))
        (local.set $x2 (f32x4.mul (local.get $x) (local.get $x)))
        (v128.store (i32.add (local.get $p) (local.get $j))
          (f32x4.div (f32x4.mul (local.get $x) ${horner(TANH32_P)}) ${horner(TANH32_Q)}))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $nextJ)))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $nextE)))
  )

  ;; Back through tanh: dz = dh · (1 − act²) on the first rows rows of n columns, 0 on the
  ;; rows after them up to rowsP (the pads, which must not reach a gradient)
  (func (export "tanh_grad")
    (param $dz i32) (param $dh i32) (param $act i32) (param $rows i32) (param $rowsP i32) (param $n i32)
    (local $i i32) (local $end i32) (local $a v128)
    (local.set $end (i32.shl (i32.mul (local.get $rows) (local.get $n)) (i32.const 2)))
    (block $endI (loop $nextI
      (br_if $endI (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $a (v128.load (i32.add (local.get $act) (local.get $i))))
      (v128.store (i32.add (local.get $dz) (local.get $i))
        (f32x4.mul (v128.load (i32.add (local.get $dh) (local.get $i)))
          (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $a) (local.get $a)))))
      (local.set $i (i32.add (local.get $i) (i32.const 16)))
      (br $nextI)))
    (memory.fill (i32.add (local.get $dz) (local.get $end)) (i32.const 0)
      (i32.shl (i32.mul (i32.sub (local.get $rowsP) (local.get $rows)) (local.get $n)) (i32.const 2)))
  )

  ;; The RBM's step from its shards' CD statistics (src/cheap/rbm.ts): G = Σ_s g_s, summed in
  ;; shard order; vel = momentum·vel + rate·G − decay·sign(w); w += vel. g holds "shards"
  ;; arrays of n floats one after another; n a multiple of 4. One pass over w, vel and the g_s
  ;; (as a TypeScript loop with the sums it was 3 ms a step of the 1024 × 256 layer: a third of it)
  (func (export "momentum_l1")
    (param $w i32) (param $vel i32) (param $g i32) (param $shards i32) (param $n i32)
    (param $momentum f32) (param $rate f32) (param $decay f32)
    (local $q i32) (local $end i32) (local $p i32) (local $s i32)
    (local $G v128) (local $wv v128) (local $v v128) (local $mv v128) (local $rv v128) (local $dv v128)
    (local.set $mv (f32x4.splat (local.get $momentum)))
    (local.set $rv (f32x4.splat (local.get $rate)))
    (local.set $dv (f32x4.splat (local.get $decay)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $endQ (loop $nextQ
      (br_if $endQ (i32.ge_u (local.get $q) (local.get $end)))
      (local.set $p (i32.add (local.get $g) (local.get $q)))
      (local.set $G (v128.load (local.get $p)))
      (local.set $s (i32.const 1))
      (block $endS (loop $nextS
        (br_if $endS (i32.ge_u (local.get $s) (local.get $shards)))
        (local.set $p (i32.add (local.get $p) (local.get $end)))
        (local.set $G (f32x4.add (local.get $G) (v128.load (local.get $p))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $nextS)))
      (local.set $wv (v128.load (i32.add (local.get $w) (local.get $q))))
      ;; decay·sign(w) as two masks: +decay where w > 0, −decay where w < 0, 0 at w = 0
      (local.set $v (f32x4.sub
        (f32x4.add
          (f32x4.mul (local.get $mv) (v128.load (i32.add (local.get $vel) (local.get $q))))
          (f32x4.mul (local.get $rv) (local.get $G)))
        (f32x4.sub
          (v128.and (local.get $dv) (f32x4.gt (local.get $wv) (v128.const f32x4 0 0 0 0)))
          (v128.and (local.get $dv) (f32x4.lt (local.get $wv) (v128.const f32x4 0 0 0 0))))))
      (v128.store (i32.add (local.get $vel) (local.get $q)) (local.get $v))
      (v128.store (i32.add (local.get $w) (local.get $q)) (f32x4.add (local.get $wv) (local.get $v)))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $nextQ)))
  )

  ;; dst (cols × rows) = srcᵀ, src rows × cols (float32, row-major, no padding): 16 rows of
  ;; src at a time, so each of dst's rows is written 16 floats at a stretch and src's cache
  ;; lines are reused across 16 columns
  (func (export "transpose")
    (param $src i32) (param $rows i32) (param $cols i32) (param $dst i32)
    (local $i i32) (local $j i32) (local $ii i32) (local $end i32) (local $s i32) (local $d i32)
    (block $endI (loop $nextI
      (br_if $endI (i32.ge_u (local.get $i) (local.get $rows)))
      (local.set $end (i32.add (local.get $i) (i32.const 16)))
      (if (i32.gt_u (local.get $end) (local.get $rows)) (then (local.set $end (local.get $rows))))
      (local.set $j (i32.const 0))
      (block $endJ (loop $nextJ
        (br_if $endJ (i32.ge_u (local.get $j) (local.get $cols)))
        (local.set $s (i32.add (local.get $src)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $cols)) (local.get $j)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst)
          (i32.shl (i32.add (i32.mul (local.get $j) (local.get $rows)) (local.get $i)) (i32.const 2))))
        (local.set $ii (local.get $i))
        (block $endII (loop $nextII
          (br_if $endII (i32.ge_u (local.get $ii) (local.get $end)))
          (f32.store (local.get $d) (f32.load (local.get $s)))
          (local.set $s (i32.add (local.get $s) (i32.shl (local.get $cols) (i32.const 2))))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (local.set $ii (i32.add (local.get $ii) (i32.const 1)))
          (br $nextII)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $nextJ)))
      (local.set $i (local.get $end))
      (br $nextI)))
  )
)`;

export interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** out (m × sIn) = a (m × sOut) · w (sOut × sIn); byte pointers; sOut, sIn multiples of 4 */
  rowmat(a: number, m: number, w: number, sOut: number, sIn: number, out: number): void;
  /** cNext = c wᵀ with the old w, then w += lr aᵀ c; m even */
  update(
    w: number,
    sOut: number,
    sIn: number,
    a: number,
    m: number,
    c: number,
    cNext: number,
    lr: number,
  ): void;
  /** act[e, j] = tanh(act[e, j] + b[j]), e < rows, j < n (a multiple of 4); float32 rational */
  bias_tanh(act: number, rows: number, n: number, b: number): void;
  /** dz = dh · (1 − act²) on rows < rows, 0 on the rows after up to rowsP; n columns */
  tanh_grad(dz: number, dh: number, act: number, rows: number, rowsP: number, n: number): void;
  /** dst (cols × rows) = srcᵀ for src rows × cols, float32, unpadded */
  transpose(src: number, rows: number, cols: number, dst: number): void;
  /** vel = momentum·vel + rate·Σ_s g_s − decay·sign(w), w += vel; g: `shards` arrays of n (n a multiple of 4) */
  momentum_l1(
    w: number,
    vel: number,
    g: number,
    shards: number,
    n: number,
    momentum: number,
    rate: number,
    decay: number,
  ): void;
}

import { countSimdInstance } from "./usage.ts";
import { TANH32_CLAMP, TANH32_P, TANH32_Q } from "./tanh32.ts";
import { compileWat, type WatSource } from "./wat.ts";

let compiled: Promise<WebAssembly.Module> | undefined;

/** The kernels' text (a browser gets them prebuilt by `deno task bundle`: wat.ts). */
export const SIMD_KERNELS: WatSource = {
  name: "simd_kernels",
  text: WAT,
  features: { simd: true, bulk_memory: true },
};

/** An instance over a fresh memory of `bytes` bytes (its own, so nets do not share weights). */
export async function instantiateKernels(bytes: number): Promise<Kernels> {
  compiled ??= compileWat(SIMD_KERNELS);
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (pages > 65536) {
    throw new RangeError(
      `a net of ${
        (bytes / 2 ** 30).toFixed(1)
      } GiB of float32 weights does not fit WebAssembly's 4 GiB`,
    );
  }
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  countSimdInstance();
  const instance = await WebAssembly.instantiate(await compiled, { env: { memory } });
  const ex = instance.exports as unknown as Omit<Kernels, "memory">;
  return {
    memory,
    rowmat: ex.rowmat,
    update: ex.update,
    bias_tanh: ex.bias_tanh,
    tanh_grad: ex.tanh_grad,
    transpose: ex.transpose,
    momentum_l1: ex.momentum_l1,
  };
}
