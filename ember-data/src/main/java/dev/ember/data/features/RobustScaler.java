package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Scales with statistics robust to outliers, as scikit-learn's {@code RobustScaler}:
 * {@code (x - median) / (q_high - q_low)} per column, quantiles by linear interpolation
 * (numpy's default), a zero range replaced by 1. {@code [n, f] -> [n, f]}.
 */
public final class RobustScaler implements FeatureTransformer {
    private final double qLow, qHigh;
    private double[] center, scale;

    /** The interquartile range (25, 75). */
    public RobustScaler() { this(25, 75); }

    /** Quantile range {@code [qLow, qHigh]} in percent, {@code 0 <= qLow < qHigh <= 100}. */
    public RobustScaler(double qLow, double qHigh) {
        if (!(0 <= qLow && qLow < qHigh && qHigh <= 100)) throw new IllegalArgumentException("RobustScaler: need 0 <= qLow < qHigh <= 100, got " + qLow + ", " + qHigh);
        this.qLow = qLow;
        this.qHigh = qHigh;
    }

    @Override
    public RobustScaler fit(Tensor x) {
        double[][] r = Matrix.rows(x, "RobustScaler.fit");
        int f = r[0].length;
        center = new double[f];
        scale = new double[f];
        for (int j = 0; j < f; j++) {
            double[] c = Matrix.column(r, j);
            Arrays.sort(c);
            center[j] = Matrix.percentile(c, 50);
            double range = Matrix.percentile(c, qHigh) - Matrix.percentile(c, qLow);
            scale[j] = range == 0 ? 1 : range;
        }
        return this;
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(center, "RobustScaler.transform");
        double[][] r = Matrix.rows(x, "RobustScaler.transform");
        Matrix.checkWidth(r, center.length, "RobustScaler.transform");
        for (double[] row : r) for (int j = 0; j < row.length; j++) row[j] = (row[j] - center[j]) / scale[j];
        return Matrix.tensor(r, center.length, x);
    }

    /** Undoes {@link #transform}. */
    public Tensor inverseTransform(Tensor x) {
        Matrix.checkFitted(center, "RobustScaler.inverseTransform");
        double[][] r = Matrix.rows(x, "RobustScaler.inverseTransform");
        Matrix.checkWidth(r, center.length, "RobustScaler.inverseTransform");
        for (double[] row : r) for (int j = 0; j < row.length; j++) row[j] = row[j] * scale[j] + center[j];
        return Matrix.tensor(r, center.length, x);
    }

    /** Per-column medians. */
    public double[] center() { Matrix.checkFitted(center, "RobustScaler.center"); return center.clone(); }

    /** Per-column quantile ranges, 1 where zero. */
    public double[] scale() { Matrix.checkFitted(scale, "RobustScaler.scale"); return scale.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static RobustScaler load(Path file) { return StateFile.load(file, RobustScaler.class); }
}
