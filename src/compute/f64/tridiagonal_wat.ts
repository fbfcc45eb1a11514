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
 * so (S′u)_j = y_j + Σ_tasks z_j. Rows go two at a time, so that v_j, w_j, u_j and z_j are
 * loaded once for both: the pass is bound by loads and stores, and this saves 3 of every 7
 * (n = 1000 on one thread: eigenvalues in 184 ms instead of 250). Pointers are byte offsets into the shared memory;
 * `ld` is S's row stride in bytes; `n` the order, i0 and i1 row indices.
 *
 * @module
 */
export const TRIDIAGONAL_WAT = `
  ;; one row i: its entries j ≥ i; returns nothing, writes y_i, adds to z_j (j > i)
  (func $tri_row (param $s i32) (param $ld i32) (param $n i32) (param $i i32)
    (param $v i32) (param $w i32) (param $u i32) (param $z i32) (param $y i32)
    (local $j i32) (local $row i32) (local $o i32)
    (local $vi f64) (local $wi f64) (local $ui f64) (local $x f64) (local $sum f64)
    (local $vv v128) (local $wv v128) (local $uv v128) (local $xv v128) (local $acc v128)
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
  )

  ;; rows i and i + 1 together: entries (i, i), (i, i + 1) and (i + 1, i + 1) one by one, then
  ;; both rows' j ≥ i + 2 side by side, so v_j, w_j, u_j and z_j are loaded once for the two
  (func $tri_pair (param $s i32) (param $ld i32) (param $n i32) (param $i i32)
    (param $v i32) (param $w i32) (param $u i32) (param $z i32) (param $y i32)
    (local $j i32) (local $r0 i32) (local $r1 i32) (local $o i32)
    (local $v0 f64) (local $w0 f64) (local $u0 f64) (local $v1 f64) (local $w1 f64) (local $u1 f64)
    (local $x f64) (local $sum0 f64) (local $sum1 f64)
    (local $vj f64) (local $wj f64) (local $uj f64) (local $x0 f64) (local $x1 f64)
    (local $vv0 v128) (local $wv0 v128) (local $uv0 v128)
    (local $vv1 v128) (local $wv1 v128) (local $uv1 v128)
    (local $vb v128) (local $wb v128) (local $ub v128)
    (local $xv0 v128) (local $xv1 v128) (local $acc0 v128) (local $acc1 v128)
    (local.set $r0 (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $ld))))
    (local.set $r1 (i32.add (local.get $r0) (local.get $ld)))
    (local.set $o (i32.shl (local.get $i) (i32.const 3)))
    (local.set $v0 (f64.load (i32.add (local.get $v) (local.get $o))))
    (local.set $w0 (f64.load (i32.add (local.get $w) (local.get $o))))
    (local.set $u0 (f64.load (i32.add (local.get $u) (local.get $o))))
    (local.set $v1 (f64.load offset=8 (i32.add (local.get $v) (local.get $o))))
    (local.set $w1 (f64.load offset=8 (i32.add (local.get $w) (local.get $o))))
    (local.set $u1 (f64.load offset=8 (i32.add (local.get $u) (local.get $o))))
    ;; (i, i): row i's own
    (local.set $x (f64.sub (f64.load (i32.add (local.get $r0) (local.get $o)))
      (f64.add (f64.mul (local.get $v0) (local.get $w0)) (f64.mul (local.get $w0) (local.get $v0)))))
    (f64.store (i32.add (local.get $r0) (local.get $o)) (local.get $x))
    (local.set $sum0 (f64.mul (local.get $x) (local.get $u0)))
    ;; (i, i + 1): row i's sum and column i + 1's
    (local.set $x (f64.sub (f64.load offset=8 (i32.add (local.get $r0) (local.get $o)))
      (f64.add (f64.mul (local.get $v0) (local.get $w1)) (f64.mul (local.get $w0) (local.get $v1)))))
    (f64.store offset=8 (i32.add (local.get $r0) (local.get $o)) (local.get $x))
    (local.set $sum0 (f64.add (local.get $sum0) (f64.mul (local.get $x) (local.get $u1))))
    (f64.store offset=8 (i32.add (local.get $z) (local.get $o))
      (f64.add (f64.load offset=8 (i32.add (local.get $z) (local.get $o)))
        (f64.mul (local.get $x) (local.get $u0))))
    ;; (i + 1, i + 1): row i + 1's own
    (local.set $x (f64.sub (f64.load offset=8 (i32.add (local.get $r1) (local.get $o)))
      (f64.add (f64.mul (local.get $v1) (local.get $w1)) (f64.mul (local.get $w1) (local.get $v1)))))
    (f64.store offset=8 (i32.add (local.get $r1) (local.get $o)) (local.get $x))
    (local.set $sum1 (f64.mul (local.get $x) (local.get $u1)))
    (local.set $vv0 (f64x2.splat (local.get $v0)))
    (local.set $wv0 (f64x2.splat (local.get $w0)))
    (local.set $uv0 (f64x2.splat (local.get $u0)))
    (local.set $vv1 (f64x2.splat (local.get $v1)))
    (local.set $wv1 (f64x2.splat (local.get $w1)))
    (local.set $uv1 (f64x2.splat (local.get $u1)))
    (local.set $acc0 (v128.const f64x2 0 0))
    (local.set $acc1 (v128.const f64x2 0 0))
    (local.set $j (i32.add (local.get $i) (i32.const 2)))
    (block $endJ (loop $nextJ
      (br_if $endJ (i32.gt_u (i32.add (local.get $j) (i32.const 2)) (local.get $n)))
      (local.set $o (i32.shl (local.get $j) (i32.const 3)))
      (local.set $vb (v128.load (i32.add (local.get $v) (local.get $o))))
      (local.set $wb (v128.load (i32.add (local.get $w) (local.get $o))))
      (local.set $ub (v128.load (i32.add (local.get $u) (local.get $o))))
      (local.set $xv0 (f64x2.sub (v128.load (i32.add (local.get $r0) (local.get $o)))
        (f64x2.add (f64x2.mul (local.get $vv0) (local.get $wb)) (f64x2.mul (local.get $wv0) (local.get $vb)))))
      (local.set $xv1 (f64x2.sub (v128.load (i32.add (local.get $r1) (local.get $o)))
        (f64x2.add (f64x2.mul (local.get $vv1) (local.get $wb)) (f64x2.mul (local.get $wv1) (local.get $vb)))))
      (v128.store (i32.add (local.get $r0) (local.get $o)) (local.get $xv0))
      (v128.store (i32.add (local.get $r1) (local.get $o)) (local.get $xv1))
      (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.mul (local.get $xv0) (local.get $ub))))
      (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.mul (local.get $xv1) (local.get $ub))))
      (v128.store (i32.add (local.get $z) (local.get $o))
        (f64x2.add (v128.load (i32.add (local.get $z) (local.get $o)))
          (f64x2.add (f64x2.mul (local.get $xv0) (local.get $uv0))
            (f64x2.mul (local.get $xv1) (local.get $uv1)))))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $nextJ)))
    (local.set $sum0 (f64.add (local.get $sum0)
      (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))))
    (local.set $sum1 (f64.add (local.get $sum1)
      (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))
    ;; an odd last column
    (if (i32.lt_u (local.get $j) (local.get $n)) (then
      (local.set $o (i32.shl (local.get $j) (i32.const 3)))
      (local.set $vj (f64.load (i32.add (local.get $v) (local.get $o))))
      (local.set $wj (f64.load (i32.add (local.get $w) (local.get $o))))
      (local.set $uj (f64.load (i32.add (local.get $u) (local.get $o))))
      (local.set $x0 (f64.sub (f64.load (i32.add (local.get $r0) (local.get $o)))
        (f64.add (f64.mul (local.get $v0) (local.get $wj)) (f64.mul (local.get $w0) (local.get $vj)))))
      (local.set $x1 (f64.sub (f64.load (i32.add (local.get $r1) (local.get $o)))
        (f64.add (f64.mul (local.get $v1) (local.get $wj)) (f64.mul (local.get $w1) (local.get $vj)))))
      (f64.store (i32.add (local.get $r0) (local.get $o)) (local.get $x0))
      (f64.store (i32.add (local.get $r1) (local.get $o)) (local.get $x1))
      (local.set $sum0 (f64.add (local.get $sum0) (f64.mul (local.get $x0) (local.get $uj))))
      (local.set $sum1 (f64.add (local.get $sum1) (f64.mul (local.get $x1) (local.get $uj))))
      (f64.store (i32.add (local.get $z) (local.get $o))
        (f64.add (f64.load (i32.add (local.get $z) (local.get $o)))
          (f64.add (f64.mul (local.get $x0) (local.get $u0)) (f64.mul (local.get $x1) (local.get $u1)))))))
    (local.set $o (i32.shl (local.get $i) (i32.const 3)))
    (f64.store (i32.add (local.get $y) (local.get $o)) (local.get $sum0))
    (f64.store offset=8 (i32.add (local.get $y) (local.get $o)) (local.get $sum1))
  )

  ;; rows i0…i1−1, two at a time
  (func (export "tridiag_rows") (param $s i32) (param $ld i32) (param $n i32)
    (param $i0 i32) (param $i1 i32)
    (param $v i32) (param $w i32) (param $u i32) (param $z i32) (param $y i32)
    (local $i i32)
    (local.set $i (local.get $i0))
    (block $endI (loop $nextI
      (br_if $endI (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $i1)))
      (call $tri_pair (local.get $s) (local.get $ld) (local.get $n) (local.get $i)
        (local.get $v) (local.get $w) (local.get $u) (local.get $z) (local.get $y))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $nextI)))
    (if (i32.lt_u (local.get $i) (local.get $i1)) (then
      (call $tri_row (local.get $s) (local.get $ld) (local.get $n) (local.get $i)
        (local.get $v) (local.get $w) (local.get $u) (local.get $z) (local.get $y))))
  )
`;
