"""Issue #28's isometry comparison in NumPy (bench/kernels_bench.ts runs it beside ours):
one orthogonal-tanh Jacobian draw at width 1000, depth 64, float64 — 64 Haar draws (QR of
a Gaussian matrix, signs fixed), 64 products, the eigenvalues of JJᵀ. Not part of the
project's runtime.

  python3 bench/numpy_isometry.py
"""
import time
import numpy as np

def draw(n=1000, depth=64, q_star=1 / 64, sw2=1.0):
    rng = np.random.default_rng(1)
    t = time.perf_counter()
    h = np.sqrt(q_star) * rng.standard_normal(n)
    j = np.eye(n)
    for _ in range(depth):
        g = rng.standard_normal((n, n))
        q, r = np.linalg.qr(g)
        w = np.sqrt(sw2) * q * np.sign(np.diag(r))
        d = 1 - np.tanh(h) ** 2
        h = w @ np.tanh(h)
        j = (w * d) @ j
    np.linalg.eigvalsh(j @ j.T)
    return time.perf_counter() - t

if __name__ == "__main__":
    print(f"numpy isometry draw, width 1000, depth 64: {draw():.1f} s")
