package dev.ember.data.features;

import dev.ember.Tensor;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Fills missing values (NaN) per column with a statistic of the training column, as
 * scikit-learn's {@code SimpleImputer}. {@code [n, f] -> [n, f]}. A column with no present
 * value is an error (scikit-learn would drop it silently).
 */
public final class SimpleImputer implements FeatureTransformer {
    private final ImputeStrategy strategy;
    private double[] statistics;

    /** An imputer with {@code strategy}. */
    public SimpleImputer(ImputeStrategy strategy) { this.strategy = strategy; }

    @Override
    public SimpleImputer fit(Tensor x) {
        double[][] r = Matrix.rows(x, "SimpleImputer.fit");
        int f = r[0].length;
        statistics = new double[f];
        for (int j = 0; j < f; j++) {
            double[] present = Arrays.stream(Matrix.column(r, j)).filter(v -> !Double.isNaN(v)).sorted().toArray();
            if (present.length == 0) throw new IllegalArgumentException("SimpleImputer.fit: column " + j + " has no present values to learn from");
            statistics[j] = switch (strategy) {
                case MEAN -> Arrays.stream(present).sum() / present.length;
                case MEDIAN -> Matrix.percentile(present, 50);
                case MOST_FREQUENT -> mostFrequent(present);
            };
        }
        return this;
    }

    private static double mostFrequent(double[] sorted) {
        double best = sorted[0];
        int bestCount = 0;
        for (int i = 0; i < sorted.length; ) {
            int k = i;
            while (k < sorted.length && sorted[k] == sorted[i]) k++;
            if (k - i > bestCount) { bestCount = k - i; best = sorted[i]; } // ascending order: ties keep the smallest
            i = k;
        }
        return best;
    }

    @Override
    public Tensor transform(Tensor x) {
        Matrix.checkFitted(statistics, "SimpleImputer.transform");
        double[][] r = Matrix.rows(x, "SimpleImputer.transform");
        Matrix.checkWidth(r, statistics.length, "SimpleImputer.transform");
        for (double[] row : r) for (int j = 0; j < row.length; j++) if (Double.isNaN(row[j])) row[j] = statistics[j];
        return Matrix.tensor(r, statistics.length, x);
    }

    /** The fill value of each column. */
    public double[] statistics() { Matrix.checkFitted(statistics, "SimpleImputer.statistics"); return statistics.clone(); }

    /** Writes the fitted state as JSON. */
    public void save(Path file) { StateFile.save(this, file); }

    /** Reads a state written by {@link #save}. */
    public static SimpleImputer load(Path file) { return StateFile.load(file, SimpleImputer.class); }
}
