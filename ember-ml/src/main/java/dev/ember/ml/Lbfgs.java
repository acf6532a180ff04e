package dev.ember.ml;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Limited-memory BFGS for smooth unconstrained minimization, with a backtracking line search
 * that enforces the Armijo condition (or, once f is flat to rounding, a smaller gradient) and
 * keeps only curvature pairs with {@code sᵀy > 0}.
 */
final class Lbfgs {
    /** An objective: writes the gradient at {@code w} into {@code grad} and returns the value. */
    interface Objective { double evaluate(double[] w, double[] grad); }

    /** The minimizer found, its value, the final gradient's max-norm and the iterations used. */
    record Result(double[] w, double value, double gradNorm, int iterations, int evaluations) {}

    private Lbfgs() {}

    static Result minimize(Objective f, double[] start, int memory, int maxIter, double gradTol) {
        int n = start.length;
        double[] w = start.clone(), g = new double[n];
        double fx = f.evaluate(w, g);
        int evaluations = 1;
        Deque<double[][]> pairs = new ArrayDeque<>();   // {s, y, {rho}}
        int it = 0;
        double[] wNew = new double[n], gNew = new double[n];
        while (it < maxIter && maxAbs(g) > gradTol) {
            it++;
            double[] d = direction(g, pairs);
            double slope = dot(d, g);
            if (slope >= 0) {   // not a descent direction: restart from steepest descent
                pairs.clear();
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = dot(d, g);
            }
            double step = pairs.isEmpty() ? Math.min(1, 1 / Math.max(maxAbs(g), 1e-300)) : 1;
            double fNew;
            int tries = 0;
            while (true) {
                for (int i = 0; i < n; i++) wNew[i] = w[i] + step * d[i];
                fNew = f.evaluate(wNew, gNew);
                evaluations++;
                if (fNew <= fx + 1e-4 * step * slope || ++tries > 60) break;
                // Near the optimum f stops changing in float64 before the gradient vanishes: then accept a
                // step that leaves f equal to rounding and shrinks the gradient.
                if (Math.abs(fNew - fx) <= 1e-13 * Math.abs(fx) && maxAbs(gNew) < maxAbs(g)) break;
                step *= 0.5;
            }
            if (tries > 60) break;   // no decrease possible at machine precision
            double[] s = new double[n], y = new double[n];
            for (int i = 0; i < n; i++) { s[i] = wNew[i] - w[i]; y[i] = gNew[i] - g[i]; }
            double sy = dot(s, y);
            if (sy > 1e-300) {
                pairs.addLast(new double[][]{s, y, {1 / sy}});
                if (pairs.size() > memory) pairs.removeFirst();
            }
            System.arraycopy(wNew, 0, w, 0, n);
            System.arraycopy(gNew, 0, g, 0, n);
            fx = fNew;
        }
        return new Result(w, fx, maxAbs(g), it, evaluations);
    }

    /** The two-loop recursion: {@code -H g} with the initial scaling {@code sᵀy / yᵀy}. */
    private static double[] direction(double[] g, Deque<double[][]> pairs) {
        int n = g.length, m = pairs.size();
        double[] q = g.clone(), alpha = new double[m];
        double[][][] list = pairs.toArray(new double[0][][]);
        for (int k = m - 1; k >= 0; k--) {
            alpha[k] = list[k][2][0] * dot(list[k][0], q);
            axpy(-alpha[k], list[k][1], q);
        }
        if (m > 0) {
            double[] s = list[m - 1][0], y = list[m - 1][1];
            double gamma = dot(s, y) / dot(y, y);
            for (int i = 0; i < n; i++) q[i] *= gamma;
        }
        for (int k = 0; k < m; k++) {
            double beta = list[k][2][0] * dot(list[k][1], q);
            axpy(alpha[k] - beta, list[k][0], q);
        }
        for (int i = 0; i < n; i++) q[i] = -q[i];
        return q;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static void axpy(double a, double[] x, double[] y) { for (int i = 0; i < x.length; i++) y[i] += a * x[i]; }

    static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) m = Math.max(m, Math.abs(x));
        return m;
    }
}
