#!/usr/bin/env python3
"""Coefficients of FloatMath's erf tail: erfc(x) * exp(x^2) on [1, 4] as a polynomial in u = 1/x - 0.625.

    /usr/bin/python3 benchmarks/reference/fit_erfc_tail.py
Prints the float32 coefficients ERFC_U0..ERFC_U9 of backend/cpu/FloatMath.java and the fit's largest
relative error (about 1.5e-8). The fit is Lawson's iteratively reweighted least squares, which converges
to the minimax (equal-ripple) polynomial, on 4000 Chebyshev points; scipy's erfc is the reference.
FloatMathTest measures the resulting float32 erf against float64 (under 1 ulp).
"""
import numpy as np
from scipy.special import erfc

DEGREE, SHIFT = 9, 0.625


def lawson(f, basis, a, b, iters=60, n=4000):
    t = np.cos(np.linspace(0, np.pi, n))
    x = (a + b) / 2 + (b - a) / 2 * t
    y, A, w = f(x), basis(x), np.ones(n)
    for _ in range(iters):
        W = np.sqrt(w) / np.abs(y)  # relative error
        c, *_ = np.linalg.lstsq(A * W[:, None], y * W, rcond=None)
        err = np.abs(A @ c - y) / np.abs(y)
        w = w * err
        w /= w.sum()
    return c, err.max()


f = lambda u: erfc(1 / (u + SHIFT)) * np.exp(1 / (u + SHIFT) ** 2)
coeffs, err = lawson(f, lambda u: np.vander(u, DEGREE + 1, increasing=True), 1 / 4 - SHIFT, 1 - SHIFT)
for i, c in enumerate(coeffs):
    print(f"ERFC_U{i} = {float(np.float32(c))!r}f")
print("largest relative error of the fit:", err)
