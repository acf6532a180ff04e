package dev.ember.metrics;

import dev.ember.Tensor;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * A confusion matrix over integer labels: {@code counts[i][j]} is the number of samples whose
 * true label is {@code labels[i]} and predicted label is {@code labels[j]}. As in scikit-learn,
 * the labels are the sorted union of the true and predicted labels unless given.
 *
 * @param labels the label of each row/column, ascending
 * @param counts {@code [labels, labels]} counts
 */
public record ConfusionMatrix(long[] labels, long[][] counts) {

    /** From true and predicted labels of equal length {@code n}. */
    public static ConfusionMatrix of(long[] yTrue, long[] yPred) {
        TreeSet<Long> set = new TreeSet<>();
        for (long v : yTrue) set.add(v);
        for (long v : yPred) set.add(v);
        return of(yTrue, yPred, set.stream().mapToLong(Long::longValue).toArray());
    }

    /** From true and predicted labels over the given {@code labels}; samples with other labels are ignored. */
    public static ConfusionMatrix of(long[] yTrue, long[] yPred, long[] labels) {
        if (yTrue.length != yPred.length)
            throw new IllegalArgumentException("confusionMatrix: " + yTrue.length + " true labels but " + yPred.length + " predictions");
        long[] sorted = labels.clone();
        Arrays.sort(sorted);
        long[][] counts = new long[sorted.length][sorted.length];
        for (int i = 0; i < yTrue.length; i++) {
            int r = Arrays.binarySearch(sorted, yTrue[i]), c = Arrays.binarySearch(sorted, yPred[i]);
            if (r >= 0 && c >= 0) counts[r][c]++;
        }
        return new ConfusionMatrix(sorted, counts);
    }

    /** From label tensors {@code [n]} (any integer or integral float dtype). */
    public static ConfusionMatrix of(Tensor yTrue, Tensor yPred) { return of(Labels.of("confusionMatrix", yTrue), Labels.of("confusionMatrix", yPred)); }

    /** True positives per class (the diagonal). */
    public long[] truePositives() {
        long[] tp = new long[labels.length];
        for (int i = 0; i < tp.length; i++) tp[i] = counts[i][i];
        return tp;
    }

    /** Number of predictions of each class (column sums). */
    public long[] predictedCounts() {
        long[] p = new long[labels.length];
        for (long[] row : counts) for (int j = 0; j < row.length; j++) p[j] += row[j];
        return p;
    }

    /** Number of true samples of each class (row sums), the "support". */
    public long[] support() {
        long[] s = new long[labels.length];
        for (int i = 0; i < s.length; i++) for (long c : counts[i]) s[i] += c;
        return s;
    }

    /** All samples counted. */
    public long total() {
        long t = 0;
        for (long[] row : counts) for (long c : row) t += c;
        return t;
    }

    /** Counts as a {@code [labels, labels]} INT64 tensor. */
    public Tensor toTensor() {
        int k = labels.length;
        long[] flat = new long[k * k];
        for (int i = 0; i < k; i++) System.arraycopy(counts[i], 0, flat, i * k, k);
        return Tensor.of(flat, k, k);
    }
}
