package dev.ember.ml;

import java.util.Arrays;
import java.util.TreeSet;

/** Maps integral class labels to indices {@code 0..k-1} in ascending label order, and back. */
record LabelEncoding(long[] classes) {

    /** The sorted distinct labels of {@code y}; every value must be integral. */
    static LabelEncoding of(String op, double[] y) {
        TreeSet<Long> set = new TreeSet<>();
        for (int i = 0; i < y.length; i++) {
            if (y[i] != Math.rint(y[i])) throw new IllegalArgumentException(op + ": class label at position " + i + " is not an integer: " + y[i]);
            set.add((long) y[i]);
        }
        return new LabelEncoding(set.stream().mapToLong(Long::longValue).toArray());
    }

    int size() { return classes.length; }

    /** Class indices of {@code y}. */
    int[] encode(double[] y) {
        int[] out = new int[y.length];
        for (int i = 0; i < y.length; i++) out[i] = Arrays.binarySearch(classes, (long) y[i]);
        return out;
    }

    /** Labels of class indices. */
    long[] decode(int[] idx) {
        long[] out = new long[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = classes[idx[i]];
        return out;
    }
}
