package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;

/**
 * Standardises features, as scikit-learn's {@code StandardScaler}: {@code (x - mean) / std} per
 * column, std the population one (ddof 0), a zero std replaced by 1. {@code [n, f] -> [n, f]}.
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
            double m = 0, v = 0;
            for (double[] row : r) m += row[j];
            m /= n;
            for (double[] row : r) v += (row[j] - m) * (row[j] - m);
            double std = Math.sqrt(v / n);
            mean[j] = m;
            scale[j] = std == 0 ? 1 : std;
        }
        return this;
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

    /** Per-column scales: standard deviations, 1 where zero (a copy). */
    public double[] scale() { Matrix.checkFitted(scale, "StandardScaler.scale"); return scale.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static StandardScaler load(Path file) { return StateFile.load(file, StandardScaler.class); }
}
