package dev.ember.backend;

import dev.ember.DType;
import java.util.Arrays;

/**
 * What a kernel sees of a tensor: a storage and the shape, strides (in
 * elements) and offset that select its elements. A stride of 0 repeats an
 * element (broadcasting); views never force a copy.
 *
 * <p>Sizes, strides and the offset are 64-bit, as in the tensor layer. Most kernels index with 32-bit
 * arithmetic (a heap array holds at most 2^31 - 1 elements, and {@code int} index math is what the Vector API
 * and GPU kernels are fastest with): they read {@link #shape32()}, {@link #strides32()} and {@link #offset32()},
 * which hold whenever {@link #fits32()} does — every element this view can address, and its storage, lie below
 * 2^31 (PyTorch's {@code can_use_32bit_indexing}). A backend routes a view that does not fit to its 64-bit
 * path, or refuses it with {@link #require32}'s message.
 */
public final class Strided {
    private final Storage storage;
    private final long[] shape;
    private final long[] strides;
    private final long offset;
    /** The 32-bit copies, made on first use (null until then, or when the view does not fit). */
    private int[] shape32, strides32;
    /** {@link #fits32()}, computed on first use: 0 not yet, 1 fits, 2 does not (kernels ask it more than once per op). */
    private byte fits;

    public Strided(Storage storage, long[] shape, long[] strides, long offset) {
        if (shape.length != strides.length)
            throw new IllegalArgumentException("Strided: shape " + Arrays.toString(shape) + " and strides " + Arrays.toString(strides) + " differ in rank");
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A view from 32-bit sizes (what the 32-bit kernels build for their own scratch views). */
    public Strided(Storage storage, int[] shape, int[] strides, int offset) {
        this(storage, widen(shape), widen(strides), offset);
        this.shape32 = shape;
        this.strides32 = strides;
    }

    public Storage storage() { return storage; }

    public long[] shape() { return shape; }

    public long[] strides() { return strides; }

    public long offset() { return offset; }

    public DType dtype() { return storage.dtype(); }

    public int rank() { return shape.length; }

    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /**
     * True when 32-bit index arithmetic reaches every element: the storage holds at most 2^31 - 1 elements and
     * the largest (and smallest) element index this view addresses lies in {@code [0, 2^31)}, as does the element count.
     */
    public boolean fits32() {
        if (fits == 0) fits = computeFits32() ? (byte) 1 : 2;
        return fits == 1;
    }

    private boolean computeFits32() {
        if (storage.length() > Integer.MAX_VALUE || offset > Integer.MAX_VALUE) return false;
        long n = 1, hi = offset, lo = offset;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) return true; // no element is addressed
            n *= shape[d];
            if (n > Integer.MAX_VALUE || shape[d] > Integer.MAX_VALUE || Math.abs(strides[d]) > Integer.MAX_VALUE) return false;
            long reach = (shape[d] - 1) * strides[d];
            if (reach > 0) hi += reach; else lo += reach;
            if (hi > Integer.MAX_VALUE || lo < 0) return false;
        }
        return true;
    }

    /** Throws, naming {@code op} and the backend, unless {@link #fits32()}. */
    public Strided require32(String op) {
        if (!fits32())
            throw new UnsupportedOperationException(op + ": a view of " + numel() + " elements at offset " + offset + " with shape "
                    + Arrays.toString(shape) + " needs 64-bit indexing, which " + storage.backend().name()
                    + " does not have for this op; split the tensor into parts below 2^31 elements");
        return this;
    }

    /** The shape as ints; throws (see {@link #require32}) when the view needs 64-bit indexing. */
    public int[] shape32() {
        require32("kernel");
        if (shape32 == null) shape32 = narrow(shape);
        return shape32;
    }

    /** The strides as ints; throws (see {@link #require32}) when the view needs 64-bit indexing. */
    public int[] strides32() {
        require32("kernel");
        if (strides32 == null) strides32 = narrow(strides);
        return strides32;
    }

    /** The offset as an int; throws (see {@link #require32}) when the view needs 64-bit indexing. */
    public int offset32() {
        require32("kernel");
        return (int) offset;
    }

    /** The element count as an int; throws (see {@link #require32}) when the view needs 64-bit indexing. */
    public int numel32() {
        require32("kernel");
        return (int) numel();
    }

    /** True when the elements are laid out densely in row-major order from {@code offset}. */
    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** A contiguous view of a whole storage with the given shape. */
    public static Strided contiguous(Storage storage, long... shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return new Strided(storage, shape, strides, 0);
    }

    /** A contiguous view of a whole storage with the given 32-bit shape. */
    public static Strided contiguous(Storage storage, int... shape) { return contiguous(storage, widen(shape)); }

    @Override
    public String toString() {
        return "Strided[" + dtype() + " " + Arrays.toString(shape) + " strides " + Arrays.toString(strides) + " offset " + offset + "]";
    }

    private static long[] widen(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) out[i] = a[i];
        return out;
    }

    private static int[] narrow(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) out[i] = (int) a[i];
        return out;
    }
}
