package dev.ember;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor layer: sizes, strides, broadcasting, dims. */
final class Shapes {
    private Shapes() {}

    /** The largest size and element count a tensor may have (sizes, strides and offsets are ints). */
    static final int MAX_SIZE = Integer.MAX_VALUE;

    static int numel(int[] shape) { return numel("tensor", shape); }

    /**
     * The number of elements of {@code shape}; throws, naming {@code op}, when a size is negative or the
     * count exceeds {@link #MAX_SIZE}. The product never overflows: it stops as soon as it passes the limit.
     */
    static int numel(String op, int[] shape) {
        long n = 1;
        boolean empty = false;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException(op + ": invalid size " + s + " in shape " + str(shape));
            empty |= s == 0;
        }
        if (empty) return 0;
        for (int s : shape) {
            n *= s; // n <= 2^31 - 1 and s <= 2^31 - 1 before this multiply: no overflow
            if (n > MAX_SIZE)
                throw new IllegalArgumentException(op + ": a tensor of shape " + str(shape) + " would have more than 2^31 - 1 elements ("
                        + product(shape) + "); Ember tensors hold at most 2^31 - 1");
        }
        return (int) n;
    }

    /** The exact product of the sizes, as a decimal string (for messages). */
    private static String product(int[] shape) {
        java.math.BigInteger p = java.math.BigInteger.ONE;
        for (int s : shape) p = p.multiply(java.math.BigInteger.valueOf(s));
        return p.toString();
    }

    /** {@code value} as a size: throws, naming {@code op} and {@code what}, unless {@code 0 <= value <= 2^31 - 1}. */
    static int checkedSize(String op, String what, long value) {
        if (value < 0 || value > MAX_SIZE)
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " is not a valid size (sizes are 0 .. 2^31 - 1)");
        return (int) value;
    }

    /** A shape from sizes already known to be ints, with its element count checked (naming {@code op}). */
    static int[] checked(String op, int... shape) {
        numel(op, shape);
        return shape;
    }

    /**
     * Contiguous (row-major) strides. A size-0 dim counts as 1, as in PyTorch; strides of an empty tensor that would pass
     * 2^31 - 1 are capped there (no element is ever addressed through them).
     */
    static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = (int) Math.min(s, MAX_SIZE);
            s = Math.min(s * Math.max(1, shape[d]), MAX_SIZE + 1L); // capped, so the product cannot overflow
        }
        return strides;
    }

    /** Converts a user's {@code long...} shape, checking each size and the element count. */
    static int[] of(String op, long... shape) {
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > MAX_SIZE)
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " at dimension " + i + " of shape "
                        + Arrays.toString(shape) + " (sizes are 0 .. 2^31 - 1)");
            out[i] = (int) shape[i];
        }
        numel(op, out);
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
