package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;

/**
 * Scales each column to {@code [low, high]} using its training minimum and maximum, as
 * scikit-learn's {@code MinMaxScaler(feature_range)}; a constant column gets scale 1.
 * {@code [n, f] -> [n, f]}.
 */
public final class MinMaxScaler implements FeatureTransformer {
    private final double low, high;
    private double[] dataMin, dataMax;

    /** Range [0, 1]. */
    public MinMaxScaler() { this(0, 1); }

    /** Range {@code [low, high]}, {@code low < high}. */
    public MinMaxScaler(double low, double high) {
        if (!(low < high)) throw new IllegalArgumentException("MinMaxScaler: need low < high, got " + low + ", " + high);
        this.low = low;
        this.high = high;
    }

    @Override
    public MinMaxScaler fit(Tensor x) {
        double[][] r = Matrix.rows(x, "MinMaxScaler.fit");
        int f = r[0].length;
        dataMin = new double[f];
        dataMax = new double[f];
        java.util.Arrays.fill(dataMin, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(dataMax, Double.NEGATIVE_INFINITY);
        for (double[] row : r)
            for (int j = 0; j < f; j++) {
                dataMin[j] = Math.min(dataMin[j], row[j]);
                dataMax[j] = Math.max(dataMax[j], row[j]);
            }
        return this;
    }

    private double scale(int j) {
        double range = dataMax[j] - dataMin[j];
        return (high - low) / (range == 0 ? 1 : range);
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(dataMin, "MinMaxScaler.transform");
        double[][] r = Matrix.rows(x, "MinMaxScaler.transform");
        Matrix.checkWidth(r, dataMin.length, "MinMaxScaler.transform");
        for (double[] row : r) for (int j = 0; j < row.length; j++) row[j] = row[j] * scale(j) + (low - dataMin[j] * scale(j));
        return Matrix.tensor(r, dataMin.length, x);
    }

    /** Undoes {@link #transform}. */
    public Tensor inverseTransform(Tensor x) {
        Matrix.checkFitted(dataMin, "MinMaxScaler.inverseTransform");
        double[][] r = Matrix.rows(x, "MinMaxScaler.inverseTransform");
        Matrix.checkWidth(r, dataMin.length, "MinMaxScaler.inverseTransform");
        for (double[] row : r) for (int j = 0; j < row.length; j++) row[j] = (row[j] - (low - dataMin[j] * scale(j))) / scale(j);
        return Matrix.tensor(r, dataMin.length, x);
    }

    /** Per-column training minima. */
    public double[] dataMin() { Matrix.checkFitted(dataMin, "MinMaxScaler.dataMin"); return dataMin.clone(); }

    /** Per-column training maxima. */
    public double[] dataMax() { Matrix.checkFitted(dataMax, "MinMaxScaler.dataMax"); return dataMax.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static MinMaxScaler load(Path file) { return StateFile.load(file, MinMaxScaler.class); }
}
