package dev.ember.backend.gpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The iteration shape and per-operand strides a strided kernel receives, as the prelude's {@code Shape}
 * and {@code Strides} structs. Dimensions of size 1 are dropped and neighbours that every operand walks as
 * one run are merged, so a contiguous tensor of any rank reaches the kernel as rank 1 (TensorIterator's
 * coalescing). {@link #unmerged} keeps every dimension, for kernels that address one of them. Sizes, strides and
 * offsets are 64-bit, as {@link dev.ember.backend.Strided}'s; {@link KernelArgs} picks the kernels' index width.
 *
 * @param shape   the merged shape (rank at most {@link #MAX_RANK})
 * @param strides one stride array per operand, aligned with {@code shape}
 * @param offsets one element offset per operand
 */
record Layout(long[] shape, long[][] strides, long[] offsets) {

    /** The most dimensions a kernel takes after merging ({@code EMBER_MAX_RANK}). */
    public static final int MAX_RANK = 8;

    /**
     * Merges {@code shape} for operands with the given strides and offsets.
     *
     * @throws IllegalArgumentException naming {@code op} when more than {@link #MAX_RANK} dimensions remain
     */
    public static Layout of(String op, long[] shape, long[][] strides, long[] offsets) {
        List<Long> dims = new ArrayList<>();
        List<long[]> st = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            long[] col = new long[strides.length];
            for (int k = 0; k < strides.length; k++) col[k] = strides[k][d];
            if (!dims.isEmpty()) {
                int last = dims.size() - 1;
                long[] prev = st.get(last);
                boolean mergeable = true;
                for (int k = 0; k < strides.length; k++)
                    if (prev[k] != col[k] * shape[d]) { mergeable = false; break; }
                if (mergeable) {
                    dims.set(last, dims.get(last) * shape[d]);
                    st.set(last, col);
                    continue;
                }
            }
            dims.add(shape[d]);
            st.add(col);
        }
        if (dims.size() > MAX_RANK)
            throw new IllegalArgumentException(op + ": the GPU kernels take at most " + MAX_RANK + " dimensions that cannot be "
                    + "merged; shape " + Arrays.toString(shape) + " has " + dims.size());
        int rank = dims.size();
        long[] outShape = new long[rank];
        long[][] outStrides = new long[strides.length][rank];
        for (int d = 0; d < rank; d++) {
            outShape[d] = dims.get(d);
            for (int k = 0; k < strides.length; k++) outStrides[k][d] = st.get(d)[k];
        }
        return new Layout(outShape, outStrides, offsets.clone());
    }

    /** Every dimension as it is (for kernels that address one of them by position). */
    public static Layout unmerged(String op, long[] shape, long[][] strides, long[] offsets) {
        if (shape.length > MAX_RANK)
            throw new IllegalArgumentException(op + ": the GPU kernels take at most " + MAX_RANK + " dimensions here, got shape "
                    + Arrays.toString(shape));
        long[][] st = new long[strides.length][];
        for (int k = 0; k < strides.length; k++) st[k] = strides[k].clone();
        return new Layout(shape.clone(), st, offsets.clone());
    }

    /** Number of elements iterated. */
    public long numel() {
        long n = 1;
        for (long s : shape) n *= s;
        return n;
    }

    /** True when operand {@code k} is walked densely (stride 1 over one merged dimension, or a single element). */
    public boolean dense(int k) {
        return shape.length == 0 || (shape.length == 1 && strides[k][0] == 1);
    }

    /** True when operand {@code k} repeats one element everywhere (all strides 0). */
    public boolean scalar(int k) {
        for (long s : strides[k]) if (s != 0) return false;
        return true;
    }

    /** The {@code Shape} struct: rank, element count, then {@link #MAX_RANK} sizes (1 beyond the rank). */
    public long[] shapeStruct() {
        long[] s = new long[2 + MAX_RANK];
        s[0] = shape.length;
        s[1] = numel();
        for (int d = 0; d < MAX_RANK; d++) s[2 + d] = d < shape.length ? shape[d] : 1;
        return s;
    }

    /** The {@code Strides} struct of operand {@code k}: offset, then {@link #MAX_RANK} strides. */
    public long[] stridesStruct(int k) {
        long[] s = new long[1 + MAX_RANK];
        s[0] = offsets[k];
        for (int d = 0; d < shape.length; d++) s[1 + d] = strides[k][d];
        return s;
    }

    /** The largest element index any operand reaches, plus one (what the index type must hold). */
    public long extent() {
        long max = numel();
        for (int k = 0; k < strides.length; k++) {
            long last = offsets[k];
            for (int d = 0; d < shape.length; d++) last += (shape[d] - 1) * Math.abs(strides[k][d]);
            max = Math.max(max, last + 1);
        }
        return max;
    }
}
