"""Straightforward numpy versions of two benchmarks, for comparison on the same
machine (docs/benchmarks.md). Not part of the project's runtime.

  python3 bench/numpy_baselines.py
  (deno run -A bench/landscape_bench.ts --write first, for the eigvalsh comparison)
"""
import time
import numpy as np

# Phase diagram: tanh, 100x100 grid of (sigma_w2, sigma_b2); q* by iterating the
# length map, c* by iterating the correlation map, chi1 and xi_c, all with
# 100-node Gauss-Hermite quadrature (2-D for the c-map), as a notebook would.
z, w = np.polynomial.hermite_e.hermegauss(100)
w = w / w.sum()
Z1, Z2 = np.meshgrid(z, z, indexing="ij")
W2 = np.outer(w, w)

def cell(sw2, sb2):
    q = 1.0
    for _ in range(200):
        q = sw2 * np.sum(w * np.tanh(np.sqrt(q) * z) ** 2) + sb2
    chi1 = sw2 * np.sum(w * (1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2)
    c = 0.5
    for _ in range(100):
        u1 = np.sqrt(q) * Z1
        u2 = np.sqrt(q) * (c * Z1 + np.sqrt(max(0.0, 1 - c * c)) * Z2)
        c = (sw2 * np.sum(W2 * np.tanh(u1) * np.tanh(u2)) + sb2) / q
    u1 = np.sqrt(q) * Z1
    u2 = np.sqrt(q) * (c * Z1 + np.sqrt(max(0.0, 1 - c * c)) * Z2)
    chi_c = sw2 * np.sum(W2 * (1 - np.tanh(u1) ** 2) * (1 - np.tanh(u2) ** 2))
    xi_c = -1 / np.log(chi_c) if chi_c != 1 else np.inf
    return q, c, chi1, xi_c

t = time.perf_counter()
n = 10  # a 10x10 corner, scaled up: the full grid takes minutes
for sw2 in np.linspace(0.5, 4, n):
    for sb2 in np.linspace(0, 0.3, n):
        cell(sw2, sb2)
dt = time.perf_counter() - t
print(f"numpy phase diagram: {dt:.2f} s for {n}x{n} cells -> {dt * 100:.0f} s projected for 100x100")

# Random network: width 1000, depth 50, batch 64, tanh, fresh Gaussian weights per layer.
rng = np.random.default_rng(0)
N, L, B = 1000, 50, 64
times = []
for rep in range(3):
    t = time.perf_counter()
    h = rng.standard_normal((B, N))
    for _ in range(L):
        W = rng.standard_normal((N, N), dtype=np.float32) * np.float32(np.sqrt(1.5 / N))
        h = np.tanh(h.astype(np.float32)) @ W
        q = np.mean(h * h)
    times.append(time.perf_counter() - t)
print(f"numpy network 1000x50, batch 64: best {min(times):.3f} s of {len(times)} (float32, default_rng)")

# Loss landscape: numpy's eigvalsh (LAPACK syevd, OpenBLAS) on the very Hessian our
# float64 TypeScript solver takes, written by bench/landscape_bench.ts --write.
import os
if os.path.exists("bench/hessian.f64"):
    H = np.fromfile("bench/hessian.f64", dtype=np.float64)
    n = int(round(np.sqrt(H.size)))
    H = H.reshape(n, n)
    times = []
    for rep in range(5):
        t = time.perf_counter()
        ev = np.linalg.eigvalsh(H)
        times.append(time.perf_counter() - t)
    print(f"numpy eigvalsh n={n}: best {min(times) * 1000:.0f} ms of {len(times)}; "
          f"lambda_min {ev[0]:.6e}, lambda_max {ev[-1]:.6e}, negative {np.sum(ev < -1e-9 * abs(ev).max())}")

