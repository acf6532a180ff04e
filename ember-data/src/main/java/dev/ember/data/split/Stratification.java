package dev.ember.data.split;

import dev.ember.Tensor;

/** Groups example indices by class label. */
final class Stratification {
    private Stratification() {}

    /** {@code result[c]} = ascending indices with label {@code c}; labels must be in {@code [0, max]}. */
    static int[][] indicesByClass(int[] labels, String op) {
        if (labels.length == 0) throw new IllegalArgumentException(op + ": no labels");
        int max = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) throw new IllegalArgumentException(op + ": label " + labels[i] + " at index " + i + " is negative; labels must be class indices");
            max = Math.max(max, labels[i]);
        }
        int[] counts = new int[max + 1];
        for (int y : labels) counts[y]++;
        int present = 0;
        for (int c : counts) if (c > 0) present++;
        // classes numbered by their value, skipping absent ones
        int[][] groups = new int[present][];
        int[] slot = new int[max + 1];
        int g = 0;
        for (int c = 0; c <= max; c++) if (counts[c] > 0) { slot[c] = g; groups[g++] = new int[counts[c]]; }
        int[] filled = new int[present];
        for (int i = 0; i < labels.length; i++) { int s = slot[labels[i]]; groups[s][filled[s]++] = i; }
        return groups;
    }

    /** Class labels of a target tensor {@code [n]} (or {@code [n, 1]}) of integers. */
    static int[] labels(Tensor targets) {
        if (targets.numel() != targets.size(0))
            throw new IllegalArgumentException("stratify: targets " + java.util.Arrays.toString(targets.shape()) + " are not one class label per example");
        return targets.toIntArray();
    }
}
