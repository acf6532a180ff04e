package dev.ember.ml;

import dev.ember.Tensor;

/**
 * Least squares with an L1 penalty, scikit-learn's objective
 * {@code (1 / 2n) ||y - X w - b||² + alpha ||w||₁}, by cyclic coordinate descent on the centered
 * features. It stops when the duality gap falls below {@code tol · ||y_c||²} (scikit-learn's
 * criterion) or after {@code maxIter} sweeps.
 */
public final class Lasso extends LinearModel {
    private double alpha = 1.0;
    private int maxIter = 1000;
    private double tol = 1e-4;
    private int iterations;

    /** Lasso with scikit-learn's defaults: {@code alpha = 1, maxIter = 1000, tol = 1e-4}. */
    public Lasso() {}

    /** Lasso with the given penalty, sweep limit and duality-gap tolerance. */
    public Lasso(double alpha, int maxIter, double tol) {
        if (!(alpha >= 0)) throw new IllegalArgumentException("Lasso: alpha must be >= 0, got " + alpha);
        if (maxIter < 1) throw new IllegalArgumentException("Lasso: maxIter must be >= 1, got " + maxIter);
        this.alpha = alpha;
        this.maxIter = maxIter;
        this.tol = tol;
    }

    /** Coordinate-descent sweeps run by the last fit. */
    public int iterations() { return iterations; }

    @Override
    public Lasso fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("Lasso.fit", x);
        Centered c = Centered.of(rows, Inputs.vector("Lasso.fit", y, rows.length));
        int n = rows.length, p = rows[0].length;
        // Column-major copy: coordinate descent walks one feature at a time.
        double[][] cols = new double[p][n];
        double[] norm2 = new double[p];
        for (int j = 0; j < p; j++)
            for (int i = 0; i < n; i++) { cols[j][i] = c.x()[i][j]; norm2[j] += cols[j][i] * cols[j][i]; }
        double[] w = new double[p], r = c.y().clone();
        double yNorm2 = 0;
        for (double v : r) yNorm2 += v * v;
        double l1 = alpha * n;   // penalty in the un-normalized objective ½||r||² + l1 ||w||₁
        iterations = 0;
        for (int it = 0; it < maxIter; it++) {
            iterations = it + 1;
            for (int j = 0; j < p; j++) {
                if (norm2[j] == 0) continue;
                double[] col = cols[j];
                double old = w[j], rho = 0;
                for (int i = 0; i < n; i++) rho += col[i] * r[i];
                rho += norm2[j] * old;
                double nw = Math.signum(rho) * Math.max(Math.abs(rho) - l1, 0) / norm2[j];
                if (nw != old) {
                    double d = nw - old;
                    for (int i = 0; i < n; i++) r[i] -= d * col[i];
                    w[j] = nw;
                }
            }
            if (dualityGap(cols, r, w, l1) < tol * yNorm2) break;
        }
        coef = w;
        intercept = c.interceptFor(coef);
        return this;
    }

    /** The gap between the primal objective and the dual objective at the scaled residual. */
    private static double dualityGap(double[][] cols, double[] r, double[] w, double l1) {
        double dualNormXtr = 0, rNorm2 = 0, wL1 = 0, ry = 0;
        for (double[] col : cols) {
            double s = 0;
            for (int i = 0; i < r.length; i++) s += col[i] * r[i];
            dualNormXtr = Math.max(dualNormXtr, Math.abs(s));
        }
        for (double v : r) rNorm2 += v * v;
        for (double v : w) wL1 += Math.abs(v);
        // r·y = r·(r + Xw) = ||r||² + r·Xw
        double rXw = 0;
        for (int j = 0; j < cols.length; j++) {
            if (w[j] == 0) continue;
            double s = 0;
            for (int i = 0; i < r.length; i++) s += cols[j][i] * r[i];
            rXw += s * w[j];
        }
        ry = rNorm2 + rXw;
        double scale = dualNormXtr > l1 ? l1 / dualNormXtr : 1;
        return 0.5 * rNorm2 * (1 + scale * scale) + l1 * wL1 - scale * ry;
    }
}
