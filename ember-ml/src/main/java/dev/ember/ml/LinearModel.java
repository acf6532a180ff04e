package dev.ember.ml;

import dev.ember.Tensor;

/** A fitted linear function {@code ŷ = X w + b} shared by the least-squares regressors. */
abstract class LinearModel implements Regressor {
    double[] coef;
    double intercept;

    /** Weights {@code w}, one per feature (a copy). */
    public double[] coef() {
        Inputs.requireFitted(getClass().getSimpleName(), coef != null);
        return coef.clone();
    }

    /** Intercept {@code b}. */
    public double intercept() {
        Inputs.requireFitted(getClass().getSimpleName(), coef != null);
        return intercept;
    }

    @Override
    public Tensor predict(Tensor x) {
        String op = getClass().getSimpleName() + ".predict";
        Inputs.requireFitted(op, coef != null);
        double[][] rows = Inputs.matrix(op, x, coef.length);
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double s = intercept;
            for (int j = 0; j < coef.length; j++) s += rows[i][j] * coef[j];
            out[i] = s;
        }
        return Inputs.values(out);
    }

    /** Centered copy of {@code X} and {@code y}, with their column means (for fitting an intercept). */
    record Centered(double[][] x, double[] y, double[] xMean, double yMean) {
        static Centered of(double[][] x, double[] y) {
            int n = x.length, p = n == 0 ? 0 : x[0].length;
            if (n == 0) throw new IllegalArgumentException("fit: X has no rows");
            double[] xm = new double[p];
            double ym = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < p; j++) xm[j] += x[i][j];
                ym += y[i];
            }
            for (int j = 0; j < p; j++) xm[j] /= n;
            ym /= n;
            double[][] xc = new double[n][p];
            double[] yc = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < p; j++) xc[i][j] = x[i][j] - xm[j];
                yc[i] = y[i] - ym;
            }
            return new Centered(xc, yc, xm, ym);
        }

        double interceptFor(double[] w) {
            double b = yMean;
            for (int j = 0; j < w.length; j++) b -= xMean[j] * w[j];
            return b;
        }
    }
}
