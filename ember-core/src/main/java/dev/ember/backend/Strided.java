package dev.ember.backend;

import dev.ember.DType;

/**
 * What a kernel sees of a tensor: a storage and the shape, strides (in
 * elements) and offset that select its elements. A stride of 0 repeats an
 * element (broadcasting); views never force a copy.
 */
public record Strided(Storage storage, int[] shape, int[] strides, int offset) {

    public DType dtype() { return storage.dtype(); }

    public int rank() { return shape.length; }

    public int numel() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** True when the elements are laid out densely in row-major order from {@code offset}. */
    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** A contiguous view of a whole storage with the given shape. */
    public static Strided contiguous(Storage storage, int... shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return new Strided(storage, shape, strides, 0);
    }
}
