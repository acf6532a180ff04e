package dev.ember.data.split;

import dev.ember.Generator;
import java.util.ArrayList;
import java.util.List;

/**
 * Stratified k-fold indices, as scikit-learn's {@code StratifiedKFold}: each fold holds about the
 * same proportion of every class. Class counts per fold follow scikit-learn's allocation (the
 * labels sorted, then dealt round-robin to the folds), so they match it exactly; which examples
 * of a class go to which fold is in index order, or shuffled from the seed.
 */
public final class StratifiedKFold {
    private final int k;
    private final boolean shuffle;
    private final long seed;

    /** {@code k >= 2} folds, without shuffling. */
    public StratifiedKFold(int k) { this(k, false, 0); }

    /** {@code k >= 2} folds; with {@code shuffle} each class's examples are permuted from {@code seed}. */
    public StratifiedKFold(int k, boolean shuffle, long seed) {
        if (k < 2) throw new IllegalArgumentException("StratifiedKFold: k must be at least 2, got " + k);
        this.k = k;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** The {@code k} folds for class labels {@code labels[i] >= 0}. */
    public List<Fold> split(int[] labels) {
        int n = labels.length;
        int[][] byClass = Stratification.indicesByClass(labels, "StratifiedKFold");
        int classes = byClass.length;
        int largest = 0;
        for (int[] members : byClass) largest = Math.max(largest, members.length);
        if (largest < k) throw new IllegalArgumentException("StratifiedKFold: k = " + k + " is more than the largest class's " + largest + " examples");
        // scikit-learn: classes numbered in order of first appearance, labels sorted by that number,
        // then allocation[f][c] = count of class c among sorted labels at positions f, f+k, f+2k...
        Integer[] appearance = new Integer[classes];
        for (int c = 0; c < classes; c++) appearance[c] = c;
        java.util.Arrays.sort(appearance, java.util.Comparator.comparingInt(c -> byClass[c][0]));
        int[] sorted = new int[n];
        int p = 0;
        for (int c : appearance) for (int i = 0; i < byClass[c].length; i++) sorted[p++] = c;
        int[][] allocation = new int[k][classes];
        for (int f = 0; f < k; f++) for (int i = f; i < n; i += k) allocation[f][sorted[i]]++;
        Generator random = new Generator(seed);
        int[][] testOf = new int[k][];
        int[] filled = new int[k];
        for (int f = 0; f < k; f++) {
            int size = 0;
            for (int c = 0; c < classes; c++) size += allocation[f][c];
            testOf[f] = new int[size];
        }
        for (int c = 0; c < classes; c++) {
            int[] members = byClass[c].clone();
            if (shuffle) {
                int[] perm = random.permutation(members.length);
                int[] shuffled = new int[members.length];
                for (int i = 0; i < members.length; i++) shuffled[i] = members[perm[i]];
                members = shuffled;
            }
            int next = 0;
            for (int f = 0; f < k; f++)
                for (int j = 0; j < allocation[f][c]; j++) testOf[f][filled[f]++] = members[next++];
        }
        List<Fold> folds = new ArrayList<>(k);
        for (int f = 0; f < k; f++) folds.add(Folds.of(n, testOf[f]));
        return folds;
    }
}
