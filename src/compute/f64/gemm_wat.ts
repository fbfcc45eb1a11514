/**
 * The float64 product kernel as WebAssembly SIMD text (f64x2): C += A·B on a block, with B
 * packed in panels of four columns (gemm.ts's packB), so each step of the inner loop
 * loads two vectors of B, four scalars of A, and does sixteen multiply-adds into eight vector
 * accumulators that stay in registers (x64 has sixteen): a 4 × 4 register block.
 *
 * `tile` runs the micro-kernel over `rows` rows (a multiple of 4) and `panels` panels of one
 * k-block of length kc: each panel (kc × 4, 32 bytes a step) is read from L1 by every row
 * group of the block, and the block's rows of A stay in L2 across panels (GotoBLAS's
 * ordering, without packing A: its four rows are four sequential streams).
 *
 * The functions go into pool.ts's module, whose memory is imported and shared, so the pool's
 * threads run the same code over the same bytes; every pointer is a byte offset.
 *
 * @module
 */
export const GEMM_WAT = `

  ;; C[r0:r0+4, j:j+4] += A[r0:r0+4, k-block] · P (the panel); lda, ldc in bytes
  (func $micro (param $a i32) (param $lda i32) (param $p i32) (param $kc i32)
    (param $c i32) (param $ldc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $end i32)
    (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $lda)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $lda)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $lda)))
    (local.set $c1 (i32.add (local.get $c) (local.get $ldc)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $ldc)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $ldc)))
    (local.set $s00 (v128.load (local.get $c)))
    (local.set $s01 (v128.load offset=16 (local.get $c)))
    (local.set $s10 (v128.load (local.get $c1)))
    (local.set $s11 (v128.load offset=16 (local.get $c1)))
    (local.set $s20 (v128.load (local.get $c2)))
    (local.set $s21 (v128.load offset=16 (local.get $c2)))
    (local.set $s30 (v128.load (local.get $c3)))
    (local.set $s31 (v128.load offset=16 (local.get $c3)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $kc) (i32.const 5))))
    (block $done (loop $k
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $b0 (v128.load (local.get $p)))
      (local.set $b1 (v128.load offset=16 (local.get $p)))
      (local.set $x (f64x2.splat (f64.load (local.get $a))))
      (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (f64x2.splat (f64.load (local.get $a1))))
      (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (f64x2.splat (f64.load (local.get $a2))))
      (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $x (f64x2.splat (f64.load (local.get $a3))))
      (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $x) (local.get $b0))))
      (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (local.set $a1 (i32.add (local.get $a1) (i32.const 8)))
      (local.set $a2 (i32.add (local.get $a2) (i32.const 8)))
      (local.set $a3 (i32.add (local.get $a3) (i32.const 8)))
      (local.set $p (i32.add (local.get $p) (i32.const 32)))
      (br $k)))
    (v128.store (local.get $c) (local.get $s00))
    (v128.store offset=16 (local.get $c) (local.get $s01))
    (v128.store (local.get $c1) (local.get $s10))
    (v128.store offset=16 (local.get $c1) (local.get $s11))
    (v128.store (local.get $c2) (local.get $s20))
    (v128.store offset=16 (local.get $c2) (local.get $s21))
    (v128.store (local.get $c3) (local.get $s30))
    (v128.store offset=16 (local.get $c3) (local.get $s31))
  )

  ;; C[0:rows, 0:4·panels] += A[0:rows, k-block] · B[k-block, panels]; panels kc × 4 apart
  (func (export "tile") (param $a i32) (param $lda i32) (param $bp i32) (param $kc i32)
    (param $c i32) (param $ldc i32) (param $rows i32) (param $panels i32)
    (local $j i32) (local $g i32) (local $p i32) (local $cj i32)
    (block $endJ (loop $nextJ
      (br_if $endJ (i32.ge_u (local.get $j) (local.get $panels)))
      (local.set $p (i32.add (local.get $bp)
        (i32.mul (local.get $j) (i32.shl (local.get $kc) (i32.const 5)))))
      (local.set $cj (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 5))))
      (local.set $g (i32.const 0))
      (block $endG (loop $nextG
        (br_if $endG (i32.ge_u (local.get $g) (local.get $rows)))
        (call $micro
          (i32.add (local.get $a) (i32.mul (local.get $g) (local.get $lda)))
          (local.get $lda) (local.get $p) (local.get $kc)
          (i32.add (local.get $cj) (i32.mul (local.get $g) (local.get $ldc)))
          (local.get $ldc))
        (local.set $g (i32.add (local.get $g) (i32.const 4)))
        (br $nextG)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $nextJ)))
  )
`;
