package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;

/**
 * Drops columns whose training variance (population) is not above a threshold, as
 * scikit-learn's {@code VarianceThreshold}. {@code [n, f] -> [n, kept]}.
 */
public final class VarianceThreshold implements FeatureTransformer {
    private final double threshold;
    private double[] variances;
    private boolean[] support;

    /** Drops constant columns (threshold 0). */
    public VarianceThreshold() { this(0); }

    /** Keeps columns with variance {@code > threshold}. */
    public VarianceThreshold(double threshold) {
        if (threshold < 0) throw new IllegalArgumentException("VarianceThreshold: threshold must be >= 0, got " + threshold);
        this.threshold = threshold;
    }

    @Override
    public VarianceThreshold fit(Tensor x) {
        double[][] r = Matrix.rows(x, "VarianceThreshold.fit");
        int f = r[0].length;
        variances = new double[f];
        support = new boolean[f];
        boolean any = false;
        for (int j = 0; j < f; j++) {
            double[] c = Matrix.column(r, j);
            double m = 0, v = 0;
            for (double d : c) m += d;
            m /= c.length;
            for (double d : c) v += (d - m) * (d - m);
            variances[j] = v / c.length;
            support[j] = variances[j] > threshold;
            any |= support[j];
        }
        if (!any) throw new IllegalArgumentException("VarianceThreshold.fit: no column has variance above " + threshold);
        return this;
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(support, "VarianceThreshold.transform");
        return Selection.select(x, support, "VarianceThreshold.transform");
    }

    /** Puts kept columns back in place, zeros where columns were dropped: {@code [n, kept] -> [n, f]}. */
    public Tensor inverseTransform(Tensor x) {
        Matrix.checkFitted(support, "VarianceThreshold.inverseTransform");
        return Selection.unselect(x, support, "VarianceThreshold.inverseTransform");
    }

    /** Training variance of each column. */
    public double[] variances() { Matrix.checkFitted(variances, "VarianceThreshold.variances"); return variances.clone(); }

    /** Whether each column is kept. */
    public boolean[] support() { Matrix.checkFitted(support, "VarianceThreshold.support"); return support.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static VarianceThreshold load(Path file) { return StateFile.load(file, VarianceThreshold.class); }
}
