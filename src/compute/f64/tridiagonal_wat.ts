/**
 * One step of the Householder tridiagonalisation's trailing pass as WebAssembly SIMD text
 * (f64x2), on rows i0…i1−1 of the upper triangle (src/numerics/symmetric_eigen.ts explains
 * the fused step): each entry x = S_ij − (v_i w_j + w_i v_j) is written back, its row's
 * dot product with the next reflector u is summed (y_i), and x·u_i is added to z_j, the
 * column sums that the upper triangle stands for. One pass over the rows, two doubles at a
 * time.
 *
 *   y_i = Σ_{j ≥ i} x_ij u_j          (this task's rows, written)
 *   z_j += Σ_{i < j} x_ij u_i          (this task's own column sums, added to)
 *
 * so (S′u)_j = y_j + Σ_tasks z_j. Pointers are byte offsets into the shared memory; `ld` is
 * S's row stride in bytes; `n` the order, i0 and i1 row indices.
 *
 * @module
 */
export const TRIDIAGONAL_WAT = `
  (func (export "tridiag_rows") (param $s i32) (param $ld i32) (param $n i32)
    (param $i0 i32) (param $i1 i32)
    (param $v i32) (param $w i32) (param $u i32) (param $z i32) (param $y i32)
    (local $i i32) (local $j i32) (local $row i32) (local $o i32)
    (local $vi f64) (local $wi f64) (local $ui f64) (local $x f64) (local $sum f64)
    (local $vv v128) (local $wv v128) (local $uv v128) (local $xv v128) (local $acc v128)
    (local.set $i (local.get $i0))
    (block $endI (loop $nextI
      (br_if $endI (i32.ge_u (local.get $i) (local.get $i1)))
      (local.set $row (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $ld))))
      (local.set $o (i32.shl (local.get $i) (i32.const 3)))
      (local.set $vi (f64.load (i32.add (local.get $v) (local.get $o))))
      (local.set $wi (f64.load (i32.add (local.get $w) (local.get $o))))
      (local.set $ui (f64.load (i32.add (local.get $u) (local.get $o))))
      ;; the diagonal: its x·u_i is the row's, not a column sum's
      (local.set $x (f64.sub
        (f64.load (i32.add (local.get $row) (local.get $o)))
        (f64.add (f64.mul (local.get $vi) (local.get $wi)) (f64.mul (local.get $wi) (local.get $vi)))))
      (f64.store (i32.add (local.get $row) (local.get $o)) (local.get $x))
      (local.set $sum (f64.mul (local.get $x) (local.get $ui)))
      (local.set $vv (f64x2.splat (local.get $vi)))
      (local.set $wv (f64x2.splat (local.get $wi)))
      (local.set $uv (f64x2.splat (local.get $ui)))
      (local.set $acc (v128.const f64x2 0 0))
      (local.set $j (i32.add (local.get $i) (i32.const 1)))
      (block $endJ (loop $nextJ
        (br_if $endJ (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $xv (f64x2.sub
          (v128.load (i32.add (local.get $row) (local.get $o)))
          (f64x2.add
            (f64x2.mul (local.get $vv) (v128.load (i32.add (local.get $w) (local.get $o))))
            (f64x2.mul (local.get $wv) (v128.load (i32.add (local.get $v) (local.get $o)))))))
        (v128.store (i32.add (local.get $row) (local.get $o)) (local.get $xv))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (local.get $xv) (v128.load (i32.add (local.get $u) (local.get $o))))))
        (v128.store (i32.add (local.get $z) (local.get $o))
          (f64x2.add (v128.load (i32.add (local.get $z) (local.get $o)))
            (f64x2.mul (local.get $xv) (local.get $uv))))
        (local.set $j (i32.add (local.get $j) (i32.const 2)))
        (br $nextJ)))
      (local.set $sum (f64.add (local.get $sum)
        (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc)))))
      ;; an odd last column
      (if (i32.lt_u (local.get $j) (local.get $n)) (then
        (local.set $o (i32.shl (local.get $j) (i32.const 3)))
        (local.set $x (f64.sub
          (f64.load (i32.add (local.get $row) (local.get $o)))
          (f64.add
            (f64.mul (local.get $vi) (f64.load (i32.add (local.get $w) (local.get $o))))
            (f64.mul (local.get $wi) (f64.load (i32.add (local.get $v) (local.get $o)))))))
        (f64.store (i32.add (local.get $row) (local.get $o)) (local.get $x))
        (local.set $sum (f64.add (local.get $sum)
          (f64.mul (local.get $x) (f64.load (i32.add (local.get $u) (local.get $o))))))
        (f64.store (i32.add (local.get $z) (local.get $o))
          (f64.add (f64.load (i32.add (local.get $z) (local.get $o)))
            (f64.mul (local.get $x) (local.get $ui))))))
      (f64.store (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3))) (local.get $sum))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $nextI)))
  )
`;
