package dev.ember;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor layer: sizes, strides, broadcasting, dims. */
final class Shapes {
    private Shapes() {}

    /**
     * The largest size and element count a tensor may have: 2^60, so that a byte count (at most 8 bytes an element)
     * and every offset stay within a {@code long}. Sizes, strides and offsets are 64-bit, as in PyTorch.
     */
    static final long MAX_SIZE = 1L << 60;

    static long numel(long[] shape) { return numel("tensor", shape); }

    /**
     * The number of elements of {@code shape}; throws, naming {@code op}, when a size is negative or the
     * count exceeds {@link #MAX_SIZE}. The product never overflows: it stops as soon as it passes the limit.
     */
    static long numel(String op, long[] shape) {
        boolean empty = false;
        for (long s : shape) {
            if (s < 0) throw new IllegalArgumentException(op + ": invalid size " + s + " in shape " + str(shape));
            empty |= s == 0;
        }
        if (empty) return 0;
        long n = 1;
        for (long s : shape) {
            if (s > MAX_SIZE || n > MAX_SIZE / s)
                throw new IllegalArgumentException(op + ": a tensor of shape " + str(shape) + " would have more than 2^60 elements ("
                        + product(shape) + "); Ember tensors hold at most 2^60");
            n *= s;
        }
        return n;
    }

    /** The exact product of the sizes, as a decimal string (for messages). */
    private static String product(long[] shape) {
        java.math.BigInteger p = java.math.BigInteger.ONE;
        for (long s : shape) p = p.multiply(java.math.BigInteger.valueOf(s));
        return p.toString();
    }

    /** {@code value} as a size: throws, naming {@code op} and {@code what}, unless {@code 0 <= value <= 2^60}. */
    static long checkedSize(String op, String what, long value) {
        if (value < 0 || value > MAX_SIZE)
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " is not a valid size (sizes are 0 .. 2^60)");
        return value;
    }

    /** {@code value} as an int, for a size that a kernel or a host array holds in 32 bits; throws naming {@code op}. */
    static int int32(String op, String what, long value) {
        if (value < 0 || value > Integer.MAX_VALUE)
            throw new IllegalArgumentException(op + ": " + what + " = " + value + " is beyond this op's limit of 2^31 - 1");
        return (int) value;
    }

    /** A shape from sizes already known to be valid, with its element count checked (naming {@code op}). */
    static long[] checked(String op, long... shape) {
        numel(op, shape);
        return shape;
    }

    /**
     * Contiguous (row-major) strides. A size-0 dim counts as 1, as in PyTorch; strides of an empty tensor that would pass
     * 2^60 are capped just past it (no element is ever addressed through them).
     */
    static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s = cappedProduct(s, Math.max(1, shape[d]));
        }
        return strides;
    }

    /** Checks a user's shape (each size and the element count) and returns a private copy. */
    static long[] of(String op, long... shape) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || shape[i] > MAX_SIZE)
                throw new IllegalArgumentException(op + ": invalid size " + shape[i] + " at dimension " + i + " of shape "
                        + Arrays.toString(shape) + " (sizes are 0 .. 2^60)");
        }
        numel(op, shape);
        return shape.clone();
    }

    /** {@code a * b} for {@code a, b >= 0}, capped just past {@link #MAX_SIZE}, where no valid size or count is (never overflows). */
    static long cappedProduct(long a, long b) {
        return b != 0 && a > (MAX_SIZE + 1) / b ? MAX_SIZE + 1 : Math.min(a * b, MAX_SIZE + 1);
    }

    /** A 64-bit shape from ints (the 32-bit sizes of kernels and host arrays). */
    static long[] of(int... shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i];
        return out;
    }

    /** NumPy broadcasting of two shapes; the error names the op and both shapes. */
    static long[] broadcast(String op, long[] a, long[] b) {
        int n = Math.max(a.length, b.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long da = i < n - a.length ? 1 : a[i - (n - a.length)];
            long db = i < n - b.length ? 1 : b[i - (n - b.length)];
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

    static String str(long[] shape) { return Arrays.toString(shape); }
}
