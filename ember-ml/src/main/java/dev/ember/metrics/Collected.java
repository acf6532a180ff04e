package dev.ember.metrics;

import java.util.Arrays;

/** Growable host buffers in which streaming metrics keep what they have seen since the last reset. */
final class Collected {
    private long[] labels = new long[256], predicted = new long[256];
    private double[] values = new double[256], other = new double[256];
    private double[][] rows = new double[256][];
    private int n;

    int size() { return n; }

    void clear() { n = 0; }

    private void grow() {
        if (n < labels.length) return;
        int cap = labels.length * 2;
        labels = Arrays.copyOf(labels, cap);
        predicted = Arrays.copyOf(predicted, cap);
        values = Arrays.copyOf(values, cap);
        other = Arrays.copyOf(other, cap);
        rows = Arrays.copyOf(rows, cap);
    }

    void addLabels(long truth, long prediction) { grow(); labels[n] = truth; predicted[n] = prediction; n++; }

    void addValues(double truth, double prediction) { grow(); values[n] = truth; other[n] = prediction; n++; }

    void addRow(long truth, double[] row) { grow(); labels[n] = truth; rows[n] = row; n++; }

    long[] labels() { return Arrays.copyOf(labels, n); }

    long[] predicted() { return Arrays.copyOf(predicted, n); }

    double[] values() { return Arrays.copyOf(values, n); }

    double[] other() { return Arrays.copyOf(other, n); }

    double[][] rows() { return Arrays.copyOf(rows, n); }
}
