"""The NNGP benchmark of issue #20 in NumPy, for comparison on the same machine
(docs/benchmarks.md; bench/nngp_bench.ts is ours). Not part of the project's runtime.

  python3 bench/numpy_nngp.py
"""
import time
import numpy as np

# NNGP (issue #20): ReLU, depth 3, 5,000 training and 2,000 held-out inputs of 784
# dimensions at unit length (random here: the cost does not depend on the digits), the
# arc-cosine kernel layer by layer, Cholesky and the solve for ten outputs, in float64.
def nngp(n=5000, m=2000, depth=3, sw2=1.6, sb2=0.1):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n + m, 784))
    x /= np.sqrt((x ** 2).sum(1, keepdims=True) / 784)
    t = time.perf_counter()
    d = x @ x[:n].T / 784
    k = sb2 + sw2 * d
    q = sb2 + sw2
    for _ in range(depth):
        c = np.clip(k / q, -1, 1)
        k = sb2 + sw2 * (q / (2 * np.pi)) * (np.sqrt(1 - c * c) + (np.pi - np.arccos(c)) * c)
        q = sb2 + sw2 * q / 2
    ktt = k[:n] + 1e-8 * q * np.eye(n)
    y = rng.standard_normal((n, 10))
    l = np.linalg.cholesky(ktt)
    alpha = np.linalg.solve(l.T, np.linalg.solve(l, y))  # as a notebook would
    mean = k[n:] @ alpha
    return time.perf_counter() - t, mean.shape

if __name__ == "__main__":
    s, _ = nngp()
    print(f"numpy nngp ReLU depth 3, 5,000 training / 2,000 held out: {s:.1f} s")
