package dev.ember.data.split;

import dev.ember.Generator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * K-fold cross-validation indices, as scikit-learn's {@code KFold}: the (optionally shuffled)
 * indices are cut into {@code k} consecutive folds, the first {@code n % k} one larger; each
 * fold is the test set once.
 */
public final class KFold {
    private final int k;
    private final boolean shuffle;
    private final long seed;

    /** {@code k >= 2} folds, without shuffling. */
    public KFold(int k) { this(k, false, 0); }

    /** {@code k >= 2} folds; with {@code shuffle} the order is a permutation drawn from {@code seed}. */
    public KFold(int k, boolean shuffle, long seed) {
        if (k < 2) throw new IllegalArgumentException("KFold: k must be at least 2, got " + k);
        this.k = k;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    /** The {@code k} folds of {@code n} examples. */
    public List<Fold> split(int n) {
        if (n < k) throw new IllegalArgumentException("KFold: cannot make " + k + " folds of " + n + " examples");
        int[] order = shuffle ? new Generator(seed).permutation(n) : identity(n);
        List<Fold> folds = new ArrayList<>(k);
        int start = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            int[] test = Arrays.copyOfRange(order, start, start + size);
            folds.add(Folds.of(n, test));
            start += size;
        }
        return folds;
    }

    static int[] identity(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }
}
