package dev.ember.ml;

import java.util.Arrays;

/**
 * A fitted binary tree stored as flat arrays (node 0 is the root). An internal node sends a
 * sample left when {@code x[feature] <= threshold}; a leaf has {@code left == -1}. {@code value}
 * holds class fractions (classification) or the mean target (regression).
 */
final class TreeNodes {
    int count;
    int[] feature = new int[16], left = new int[16], right = new int[16], samples = new int[16];
    double[] threshold = new double[16], impurity = new double[16];
    double[][] value = new double[16][];

    int add(double nodeImpurity, int nodeSamples, double[] nodeValue) {
        if (count == feature.length) {
            int cap = count * 2;
            feature = Arrays.copyOf(feature, cap);
            left = Arrays.copyOf(left, cap);
            right = Arrays.copyOf(right, cap);
            samples = Arrays.copyOf(samples, cap);
            threshold = Arrays.copyOf(threshold, cap);
            impurity = Arrays.copyOf(impurity, cap);
            value = Arrays.copyOf(value, cap);
        }
        int id = count++;
        feature[id] = -1;
        left[id] = -1;
        right[id] = -1;
        samples[id] = nodeSamples;
        impurity[id] = nodeImpurity;
        value[id] = nodeValue;
        return id;
    }

    /** Drops unused capacity (before saving). */
    void trim() {
        feature = Arrays.copyOf(feature, count);
        left = Arrays.copyOf(left, count);
        right = Arrays.copyOf(right, count);
        samples = Arrays.copyOf(samples, count);
        threshold = Arrays.copyOf(threshold, count);
        impurity = Arrays.copyOf(impurity, count);
        value = Arrays.copyOf(value, count);
    }

    /** The leaf that {@code x} falls into. */
    int leaf(double[] x) {
        int node = 0;
        while (left[node] >= 0) node = x[feature[node]] <= threshold[node] ? left[node] : right[node];
        return node;
    }

    int depth(int node) { return left[node] < 0 ? 0 : 1 + Math.max(depth(left[node]), depth(right[node])); }

    int leaves() {
        int n = 0;
        for (int i = 0; i < count; i++) if (left[i] < 0) n++;
        return n;
    }

    /** Weighted impurity decrease of {@code node}'s split, per sample of the root: {@code (n_t i_t - n_l i_l - n_r i_r) / n_root}. */
    double gain(int node) {
        int l = left[node], r = right[node];
        return (samples[node] * impurity[node] - samples[l] * impurity[l] - samples[r] * impurity[r]) / samples[0];
    }

    /** Total impurity decrease per feature, normalized to sum 1 (all zeros for a single leaf). */
    double[] featureImportances(int features) {
        double[] imp = new double[features];
        double total = 0;
        for (int i = 0; i < count; i++)
            if (left[i] >= 0) {
                double g = gain(i);
                imp[feature[i]] += g;
                total += g;
            }
        if (total > 0) for (int j = 0; j < features; j++) imp[j] /= total;
        return imp;
    }
}
