package dev.ember.ml;

/** Sorts a key array ascending and applies the same permutation to a parallel index array (no boxing). */
final class SortByKey {
    private SortByKey() {}

    static void sort(double[] key, int[] idx) { quicksort(key, idx, 0, key.length - 1); }

    private static void quicksort(double[] k, int[] v, int lo, int hi) {
        while (hi - lo > 16) {
            double pivot = median(k[lo], k[(lo + hi) >>> 1], k[hi]);
            int i = lo, j = hi;
            while (i <= j) {
                while (k[i] < pivot) i++;
                while (k[j] > pivot) j--;
                if (i <= j) { swap(k, v, i, j); i++; j--; }
            }
            if (j - lo < hi - i) { quicksort(k, v, lo, j); lo = i; } else { quicksort(k, v, i, hi); hi = j; }
        }
        for (int i = lo + 1; i <= hi; i++)   // insertion sort for short runs
            for (int j = i; j > lo && k[j - 1] > k[j]; j--) swap(k, v, j, j - 1);
    }

    private static double median(double a, double b, double c) { return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); }

    private static void swap(double[] k, int[] v, int i, int j) {
        double t = k[i]; k[i] = k[j]; k[j] = t;
        int u = v[i]; v[i] = v[j]; v[j] = u;
    }
}
