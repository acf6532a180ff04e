package dev.ember.ml;

/**
 * Sequential minimal optimization for the C-SVC dual, as libsvm solves it (Fan, Chen and Lin,
 * 2005: second-order working-set selection): minimize {@code ½ αᵀQα - Σα} subject to
 * {@code 0 <= α <= C} and {@code yᵀα = 0}, with {@code Q_ij = y_i y_j K_ij}. Stops when the
 * maximal KKT violation is below {@code eps} (libsvm's 1e-3).
 */
final class Smo {
    private static final double TAU = 1e-12;

    /** Dual coefficients {@code α} and offset {@code rho}; the decision function is {@code Σ α_i y_i K(x_i, x) - rho}. */
    record Solution(double[] alpha, double rho, int iterations) {}

    private Smo() {}

    static Solution solve(double[][] k, int[] y, double c, double eps, int maxIter) {
        int n = y.length;
        double[] alpha = new double[n], g = new double[n];
        java.util.Arrays.fill(g, -1);
        int it = 0;
        while (it < maxIter) {
            // i: the most violating index among I_up; j: second-order choice among I_low.
            double gmax = Double.NEGATIVE_INFINITY, gmax2 = Double.NEGATIVE_INFINITY;
            int i = -1;
            for (int t = 0; t < n; t++) {
                if (y[t] == 1) { if (alpha[t] < c && -g[t] >= gmax) { gmax = -g[t]; i = t; } }
                else if (alpha[t] > 0 && g[t] >= gmax) { gmax = g[t]; i = t; }
            }
            if (i < 0) break;
            int j = -1;
            double objMin = Double.POSITIVE_INFINITY;
            double[] ki = k[i];
            for (int t = 0; t < n; t++) {
                double qit = y[i] * y[t] * ki[t];
                if (y[t] == 1) {
                    if (alpha[t] > 0) {
                        double diff = gmax + g[t];
                        if (g[t] >= gmax2) gmax2 = g[t];
                        if (diff > 0) {
                            double quad = k[i][i] + k[t][t] - 2.0 * y[i] * qit;
                            double obj = -(diff * diff) / (quad > 0 ? quad : TAU);
                            if (obj <= objMin) { j = t; objMin = obj; }
                        }
                    }
                } else if (alpha[t] < c) {
                    double diff = gmax - g[t];
                    if (-g[t] >= gmax2) gmax2 = -g[t];
                    if (diff > 0) {
                        double quad = k[i][i] + k[t][t] + 2.0 * y[i] * qit;
                        double obj = -(diff * diff) / (quad > 0 ? quad : TAU);
                        if (obj <= objMin) { j = t; objMin = obj; }
                    }
                }
            }
            if (gmax + gmax2 < eps || j < 0) break;
            it++;
            double qij = y[i] * y[j] * k[i][j];
            double oldI = alpha[i], oldJ = alpha[j];
            if (y[i] != y[j]) {
                double quad = k[i][i] + k[j][j] + 2 * qij;
                if (quad <= 0) quad = TAU;
                double delta = (-g[i] - g[j]) / quad, diff = alpha[i] - alpha[j];
                alpha[i] += delta;
                alpha[j] += delta;
                if (diff > 0) { if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; } }
                else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
                if (diff > 0) { if (alpha[i] > c) { alpha[i] = c; alpha[j] = c - diff; } }
                else if (alpha[j] > c) { alpha[j] = c; alpha[i] = c + diff; }
            } else {
                double quad = k[i][i] + k[j][j] - 2 * qij;
                if (quad <= 0) quad = TAU;
                double delta = (g[i] - g[j]) / quad, sum = alpha[i] + alpha[j];
                alpha[i] -= delta;
                alpha[j] += delta;
                if (sum > c) { if (alpha[i] > c) { alpha[i] = c; alpha[j] = sum - c; } }
                else if (alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
                if (sum > c) { if (alpha[j] > c) { alpha[j] = c; alpha[i] = sum - c; } }
                else if (alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
            }
            double di = alpha[i] - oldI, dj = alpha[j] - oldJ;
            double[] kj = k[j];
            for (int t = 0; t < n; t++) g[t] += y[t] * (y[i] * ki[t] * di + y[j] * kj[t] * dj);
        }
        return new Solution(alpha, rho(alpha, g, y, c), it);
    }

    /** libsvm's offset: the mean of {@code y_i g_i} over free vectors, else the middle of the feasible interval. */
    private static double rho(double[] alpha, double[] g, int[] y, double c) {
        double ub = Double.POSITIVE_INFINITY, lb = Double.NEGATIVE_INFINITY, sumFree = 0;
        int free = 0;
        for (int i = 0; i < y.length; i++) {
            double yg = y[i] * g[i];
            if (alpha[i] >= c) { if (y[i] == -1) ub = Math.min(ub, yg); else lb = Math.max(lb, yg); }
            else if (alpha[i] <= 0) { if (y[i] == 1) ub = Math.min(ub, yg); else lb = Math.max(lb, yg); }
            else { free++; sumFree += yg; }
        }
        return free > 0 ? sumFree / free : (ub + lb) / 2;
    }
}
