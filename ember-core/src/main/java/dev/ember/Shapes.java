package dev.ember;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor layer: sizes, strides, broadcasting, dims. */
final class Shapes {
    private Shapes() {}

    static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("tensor of shape " + str(shape) + " has " + n
                    + " elements; Ember tensors hold at most 2^31 - 1");
        return (int) n;
    }

    static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(1, shape[d]);
        }
        return strides;
    }

    /** Converts a user's {@code long...} shape, checking each size. */
    static int[] of(String op, long... shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE)
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " at dimension " + i + " of shape " + Arrays.toString(shape));
            out[i] = (int) shape[i];
        }
        numel(out);
        return out;
    }

    static long[] toLong(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i];
        return out;
    }

    /** NumPy broadcasting of two shapes; the error names the op and both shapes. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " cannot be broadcast: dimension " + i + " is " + da + " vs " + db);
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** A negative dim counts from the end; out-of-range dims throw {@link IndexOutOfBoundsException}. */
    static int dim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r)
            throw new IndexOutOfBoundsException(op + ": dimension " + dim + " is out of range for a tensor of rank " + rank
                    + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        return dim < 0 ? dim + r : dim;
    }

    static String str(int[] shape) { return Arrays.toString(shape); }

    static String str(long[] shape) { return Arrays.toString(shape); }
}
