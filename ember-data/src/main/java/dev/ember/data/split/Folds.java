package dev.ember.data.split;

import java.util.Arrays;

/** Builds a {@link Fold} from its test indices. */
final class Folds {
    private Folds() {}

    static Fold of(int n, int[] test) {
        boolean[] inTest = new boolean[n];
        for (int i : test) inTest[i] = true;
        int[] train = new int[n - test.length];
        int t = 0;
        for (int i = 0; i < n; i++) if (!inTest[i]) train[t++] = i;
        int[] sortedTest = test.clone();
        Arrays.sort(sortedTest);
        return new Fold(train, sortedTest);
    }
}
