package dev.ember.metrics;

import dev.ember.Tensor;

/**
 * Regression metrics with scikit-learn's definitions on targets and predictions {@code [n]}.
 * R² and explained variance follow {@code force_finite=True}: a constant target gives 1 for a
 * perfect prediction and 0 otherwise, instead of NaN or -∞.
 */
public final class Regression {
    private Regression() {}

    private static void check(String op, double[] t, double[] p) {
        Labels.sameLength(op, t.length, p.length);
        if (t.length == 0) throw new IllegalArgumentException(op + ": no samples");
    }

    /** Mean squared error. */
    public static double meanSquaredError(double[] yTrue, double[] yPred) {
        check("meanSquaredError", yTrue, yPred);
        double s = 0;
        for (int i = 0; i < yTrue.length; i++) s += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
        return s / yTrue.length;
    }

    /** Root mean squared error. */
    public static double rootMeanSquaredError(double[] yTrue, double[] yPred) { return Math.sqrt(meanSquaredError(yTrue, yPred)); }

    /** Mean absolute error. */
    public static double meanAbsoluteError(double[] yTrue, double[] yPred) {
        check("meanAbsoluteError", yTrue, yPred);
        double s = 0;
        for (int i = 0; i < yTrue.length; i++) s += Math.abs(yTrue[i] - yPred[i]);
        return s / yTrue.length;
    }

    /** Coefficient of determination {@code 1 - SS_res / SS_tot}; NaN for fewer than two samples. */
    public static double r2(double[] yTrue, double[] yPred) {
        check("r2", yTrue, yPred);
        if (yTrue.length < 2) return Double.NaN;
        double mean = 0;
        for (double v : yTrue) mean += v;
        mean /= yTrue.length;
        double num = 0, den = 0;
        for (int i = 0; i < yTrue.length; i++) {
            num += (yTrue[i] - yPred[i]) * (yTrue[i] - yPred[i]);
            den += (yTrue[i] - mean) * (yTrue[i] - mean);
        }
        return finite(num, den);
    }

    /** Explained variance {@code 1 - Var(y - ŷ) / Var(y)}. */
    public static double explainedVariance(double[] yTrue, double[] yPred) {
        check("explainedVariance", yTrue, yPred);
        int n = yTrue.length;
        double diffMean = 0, mean = 0;
        for (int i = 0; i < n; i++) { diffMean += yTrue[i] - yPred[i]; mean += yTrue[i]; }
        diffMean /= n;
        mean /= n;
        double num = 0, den = 0;
        for (int i = 0; i < n; i++) {
            double d = yTrue[i] - yPred[i] - diffMean;
            num += d * d;
            den += (yTrue[i] - mean) * (yTrue[i] - mean);
        }
        return finite(num / n, den / n);
    }

    private static double finite(double num, double den) {
        if (num == 0) return 1;
        if (den == 0) return 0;
        return 1 - num / den;
    }

    /** Mean squared error of tensors {@code [n], [n]}. */
    public static double meanSquaredError(Tensor yTrue, Tensor yPred) { return meanSquaredError(yTrue.toDoubleArray(), yPred.toDoubleArray()); }

    /** Mean absolute error of tensors {@code [n], [n]}. */
    public static double meanAbsoluteError(Tensor yTrue, Tensor yPred) { return meanAbsoluteError(yTrue.toDoubleArray(), yPred.toDoubleArray()); }

    /** R² of tensors {@code [n], [n]}. */
    public static double r2(Tensor yTrue, Tensor yPred) { return r2(yTrue.toDoubleArray(), yPred.toDoubleArray()); }
}
