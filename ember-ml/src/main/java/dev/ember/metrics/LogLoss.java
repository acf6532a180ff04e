package dev.ember.metrics;

import dev.ember.Tensor;

/** Streaming log loss: {@code output} probabilities {@code [batch, classes]}, {@code target} labels {@code [batch]}. */
public final class LogLoss implements Metric {
    private final Collected seen = new Collected();

    @Override
    public String name() { return "log_loss"; }

    @Override
    public void update(Tensor output, Tensor target) {
        long[] t = Labels.of(name(), target);
        double[][] p = Labels.rows(name(), output);
        Labels.sameLength(name(), t.length, p.length);
        for (int i = 0; i < t.length; i++) seen.addRow(t[i], p[i]);
    }

    @Override
    public double compute() { return seen.size() == 0 ? Double.NaN : Classification.logLoss(seen.labels(), seen.rows()); }

    @Override
    public void reset() { seen.clear(); }
}
