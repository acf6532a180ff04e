package dev.ember.metrics;

import dev.ember.Tensor;

/**
 * Streaming regression metric: {@code output} and {@code target} are values of equal size
 * (any shape, flattened). {@link #compute()} applies the chosen {@link Kind} to everything seen.
 */
public final class RegressionMetric implements Metric {
    /** The statistic computed. */
    public enum Kind { MSE, RMSE, MAE, R2, EXPLAINED_VARIANCE }

    private final Kind kind;
    private final Collected seen = new Collected();

    /** A streaming {@code kind}. */
    public RegressionMetric(Kind kind) { this.kind = kind; }

    @Override
    public String name() { return kind.name().toLowerCase(); }

    @Override
    public void update(Tensor output, Tensor target) {
        double[] p = output.toDoubleArray(), t = target.toDoubleArray();
        Labels.sameLength(name(), t.length, p.length);
        for (int i = 0; i < t.length; i++) seen.addValues(t[i], p[i]);
    }

    @Override
    public double compute() {
        if (seen.size() == 0) return Double.NaN;
        double[] t = seen.values(), p = seen.other();
        return switch (kind) {
            case MSE -> Regression.meanSquaredError(t, p);
            case RMSE -> Regression.rootMeanSquaredError(t, p);
            case MAE -> Regression.meanAbsoluteError(t, p);
            case R2 -> Regression.r2(t, p);
            case EXPLAINED_VARIANCE -> Regression.explainedVariance(t, p);
        };
    }

    @Override
    public void reset() { seen.clear(); }
}
