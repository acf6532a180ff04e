package dev.ember.ml;

import dev.ember.Tensor;
import dev.ember.linalg.Cholesky;

/**
 * Least squares with an L2 penalty: minimizes {@code ||y - X w - b||² + alpha ||w||²} (the
 * intercept is not penalized). Solved exactly by Cholesky on {@code XcᵀXc + alpha I} of the
 * centered features, as scikit-learn's {@code solver="cholesky"}.
 */
public final class Ridge extends LinearModel {
    private double alpha = 1.0;

    /** Ridge with {@code alpha = 1} (scikit-learn's default). */
    public Ridge() {}

    /** Ridge with penalty {@code alpha > 0}. */
    public Ridge(double alpha) {
        if (!(alpha > 0)) throw new IllegalArgumentException("Ridge: alpha must be > 0, got " + alpha);
        this.alpha = alpha;
    }

    /** The penalty strength. */
    public double alpha() { return alpha; }

    @Override
    public Ridge fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("Ridge.fit", x);
        Centered c = Centered.of(rows, Inputs.vector("Ridge.fit", y, rows.length));
        int p = rows[0].length;
        double[][] gram = new double[p][p];
        double[] rhs = new double[p];
        for (int i = 0; i < rows.length; i++) {
            double[] r = c.x()[i];
            for (int a = 0; a < p; a++) {
                rhs[a] += r[a] * c.y()[i];
                for (int b = 0; b <= a; b++) gram[a][b] += r[a] * r[b];
            }
        }
        for (int a = 0; a < p; a++) {
            gram[a][a] += alpha;
            for (int b = 0; b < a; b++) gram[b][a] = gram[a][b];
        }
        coef = Cholesky.of(gram).solve(rhs);
        intercept = c.interceptFor(coef);
        return this;
    }
}
