package dev.ember.metrics;

import dev.ember.Tensor;

/** Streaming top-k accuracy: {@code output} scores {@code [batch, classes]}, {@code target} labels {@code [batch]}. */
public final class TopKAccuracy implements Metric {
    private final int k;
    private long hits, total;

    /** Counts a sample as correct when its label is among the {@code k} highest scores. */
    public TopKAccuracy(int k) {
        if (k < 1) throw new IllegalArgumentException("TopKAccuracy: k must be >= 1, got " + k);
        this.k = k;
    }

    @Override
    public String name() { return "top" + k + "_accuracy"; }

    @Override
    public void update(Tensor output, Tensor target) {
        long[] t = Labels.of(name(), target);
        double[][] s = Labels.rows(name(), output);
        hits += Classification.topKHits(t, s, k);
        total += t.length;
    }

    @Override
    public double compute() { return total == 0 ? Double.NaN : (double) hits / total; }

    @Override
    public void reset() { hits = 0; total = 0; }
}
