package dev.ember.ml;

import dev.ember.Tensor;
import dev.ember.linalg.HouseholderQR;

/**
 * Ordinary least squares with an intercept: minimizes {@code ||y - X w - b||²}. Solved by
 * Householder QR of the centered features. Features that are constant in the training data get
 * weight 0 (as scikit-learn's minimum-norm {@code lstsq} solution gives them); other collinear
 * features are an error (use {@link Ridge}).
 */
public final class LinearRegression extends LinearModel {
    /** An unfitted model. */
    public LinearRegression() {}

    @Override
    public LinearRegression fit(Tensor x, Tensor y) {
        double[][] rows = Inputs.matrix("LinearRegression.fit", x);
        Centered c = Centered.of(rows, Inputs.vector("LinearRegression.fit", y, rows.length));
        int p = rows[0].length;
        boolean[] constant = new boolean[p];
        int kept = 0;
        for (int j = 0; j < p; j++) {
            constant[j] = true;
            for (double[] r : c.x()) if (r[j] != 0) { constant[j] = false; break; }
            if (!constant[j]) kept++;
        }
        if (kept > rows.length) throw new IllegalArgumentException("LinearRegression.fit: " + kept + " non-constant features but only " + rows.length + " samples; use Ridge");
        double[][] a = new double[rows.length][kept];
        for (int i = 0; i < rows.length; i++)
            for (int j = 0, k = 0; j < p; j++) if (!constant[j]) a[i][k++] = c.x()[i][j];
        HouseholderQR qr = HouseholderQR.of(a);
        if (!qr.isFullRank()) throw new IllegalArgumentException("LinearRegression.fit: features are collinear; use Ridge");
        double[] w = qr.solve(c.y());
        coef = new double[p];
        for (int j = 0, k = 0; j < p; j++) if (!constant[j]) coef[j] = w[k++];
        intercept = c.interceptFor(coef);
        return this;
    }
}
