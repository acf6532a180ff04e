package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;

/**
 * Standardises features, as scikit-learn's {@code StandardScaler}: {@code (x - mean) / std} per
 * column, std the population one (ddof 0). The variance is computed as scikit-learn does (the
 * corrected two-pass algorithm), and a column whose variance is within that algorithm's rounding
 * error is constant: its scale is 1, so it maps to about 0. Dividing by the variance left by
 * rounding instead (about 1e-33 for a constant 0.1) would blow that rounding up to values near 1.
 * {@code [n, f] -> [n, f]}.
 */
public final class StandardScaler implements FeatureTransformer {
    private final boolean withMean, withStd;
    private double[] mean, scale;

    /** Centres and scales. */
    public StandardScaler() { this(true, true); }

    /** Centres if {@code withMean}, scales if {@code withStd}. */
    public StandardScaler(boolean withMean, boolean withStd) {
        this.withMean = withMean;
        this.withStd = withStd;
    }

    @Override
    public StandardScaler fit(Tensor x) {
        double[][] r = Matrix.rows(x, "StandardScaler.fit");
        int f = r[0].length, n = r.length;
        mean = new double[f];
        scale = new double[f];
        for (int j = 0; j < f; j++) {
            double sum = 0;
            for (double[] row : r) sum += row[j]; // in row order, as NumPy sums a column
            double m = sum / n;
            // corrected two-pass (Chan, Golub & LeVeque): subtract what rounding left in the deviations' sum
            double correction = 0, squares = 0;
            for (double[] row : r) {
                double d = row[j] - m;
                correction += d;
                squares += d * d;
            }
            double var = (squares - correction * correction / n) / n;
            mean[j] = m;
            scale[j] = isConstant(var, m, n) ? 1 : Math.sqrt(var);
        }
        return this;
    }

    /**
     * scikit-learn's {@code _is_constant_feature}: the variance is no larger than the error bound of the
     * two-pass algorithm in float64, {@code n eps var + (n mean eps)^2}; negative rounding results included.
     */
    static boolean isConstant(double var, double mean, int n) {
        double eps = Math.ulp(1.0);
        double bound = n * eps * var + (n * mean * eps) * (n * mean * eps);
        return var <= bound;
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(mean, "StandardScaler.transform");
        double[][] r = Matrix.rows(x, "StandardScaler.transform");
        Matrix.checkWidth(r, mean.length, "StandardScaler.transform");
        for (double[] row : r)
            for (int j = 0; j < row.length; j++) row[j] = (row[j] - (withMean ? mean[j] : 0)) / (withStd ? scale[j] : 1);
        return Matrix.tensor(r, mean.length, x);
    }

    /** Undoes {@link #transform}: {@code x * std + mean}. */
    public Tensor inverseTransform(Tensor x) {
        Matrix.checkFitted(mean, "StandardScaler.inverseTransform");
        double[][] r = Matrix.rows(x, "StandardScaler.inverseTransform");
        Matrix.checkWidth(r, mean.length, "StandardScaler.inverseTransform");
        for (double[] row : r)
            for (int j = 0; j < row.length; j++) row[j] = row[j] * (withStd ? scale[j] : 1) + (withMean ? mean[j] : 0);
        return Matrix.tensor(r, mean.length, x);
    }

    /** Per-column means (a copy). */
    public double[] mean() { Matrix.checkFitted(mean, "StandardScaler.mean"); return mean.clone(); }

    /** Per-column scales: standard deviations, 1 for a constant column (a copy). */
    public double[] scale() { Matrix.checkFitted(scale, "StandardScaler.scale"); return scale.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static StandardScaler load(Path file) { return StateFile.load(file, StandardScaler.class); }
}
