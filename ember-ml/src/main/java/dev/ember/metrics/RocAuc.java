package dev.ember.metrics;

import dev.ember.Tensor;

/**
 * Streaming ROC-AUC. Binary: {@code output} is the positive-class score {@code [batch]} or
 * probabilities {@code [batch, 2]} (column 1 used), {@code target} labels 0/1. Multi-class:
 * probabilities {@code [batch, classes]} with classes > 2 give the one-vs-rest macro average.
 */
public final class RocAuc implements Metric {
    private final Collected seen = new Collected();

    @Override
    public String name() { return "roc_auc"; }

    @Override
    public void update(Tensor output, Tensor target) {
        long[] t = Labels.of(name(), target);
        double[][] rows = output.dim() == 1 ? column(output.toDoubleArray()) : Labels.rows(name(), output);
        Labels.sameLength(name(), t.length, rows.length);
        for (int i = 0; i < t.length; i++) seen.addRow(t[i], rows[i]);
    }

    private static double[][] column(double[] v) {
        double[][] r = new double[v.length][];
        for (int i = 0; i < v.length; i++) r[i] = new double[]{1 - v[i], v[i]};
        return r;
    }

    @Override
    public double compute() {
        if (seen.size() == 0) return Double.NaN;
        double[][] rows = seen.rows();
        if (rows[0].length > 2) return Ranking.rocAucOvrMacro(seen.labels(), rows);
        double[] score = new double[rows.length];
        for (int i = 0; i < rows.length; i++) score[i] = rows[i][rows[i].length - 1];
        return Ranking.rocAuc(seen.labels(), score);
    }

    @Override
    public void reset() { seen.clear(); }
}
