package dev.ember.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * The iteration shape and per-operand strides an elementwise kernel receives, packed as the
 * {@code Shape} and {@code Strides} structs of {@code kernels/cuda/common.cuh}. Dimensions of
 * size 1 are dropped and neighbours that every operand walks as one run are merged, so a
 * contiguous tensor of any rank reaches the kernel as rank 1.
 *
 * @param shape   merged shape (rank {@code <=} {@link #MAX_RANK})
 * @param strides one stride array per operand, aligned with {@code shape}
 * @param offsets one element offset per operand
 */
public record KernelLayout(int[] shape, int[][] strides, int[] offsets) {

    /** The largest rank the kernels accept after merging ({@code EMBER_MAX_RANK}). */
    public static final int MAX_RANK = 8;

    /**
     * Merges {@code shape} for operands with the given strides and offsets.
     *
     * @throws IllegalArgumentException when more than {@link #MAX_RANK} dimensions remain
     */
    public static KernelLayout of(String op, int[] shape, int[][] strides, int[] offsets) {
        List<Integer> dims = new ArrayList<>();
        List<int[]> st = new ArrayList<>();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            int[] col = new int[strides.length];
            for (int k = 0; k < strides.length; k++) col[k] = strides[k][d];
            if (!dims.isEmpty()) {
                int last = dims.size() - 1;
                int[] prev = st.get(last);
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
            throw new IllegalArgumentException(op + ": the CUDA kernels take at most " + MAX_RANK
                    + " dimensions that cannot be merged, shape " + java.util.Arrays.toString(shape) + " has " + dims.size());
        int rank = dims.size();
        int[] outShape = new int[rank];
        int[][] outStrides = new int[strides.length][rank];
        for (int d = 0; d < rank; d++) {
            outShape[d] = dims.get(d);
            for (int k = 0; k < strides.length; k++) outStrides[k][d] = st.get(d)[k];
        }
        return new KernelLayout(outShape, outStrides, offsets.clone());
    }

    /** Number of elements iterated. */
    public int numel() {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    /** True when operand {@code k} is walked densely (stride 1 over one merged dimension, or a single element). */
    public boolean dense(int k) {
        return shape.length == 0 || (shape.length == 1 && strides[k][0] == 1);
    }

    /** True when operand {@code k} repeats one element everywhere (all strides 0). */
    public boolean scalar(int k) {
        for (int s : strides[k]) if (s != 0) return false;
        return true;
    }

    /** The {@code Shape} struct: rank, element count, then {@link #MAX_RANK} dims. */
    public int[] shapeStruct() {
        int[] s = new int[2 + MAX_RANK];
        s[0] = shape.length;
        s[1] = numel();
        for (int d = 0; d < MAX_RANK; d++) s[2 + d] = d < shape.length ? shape[d] : 1;
        return s;
    }

    /** The {@code Strides} struct of operand {@code k}: offset, then {@link #MAX_RANK} strides. */
    public int[] stridesStruct(int k) {
        int[] s = new int[1 + MAX_RANK];
        s[0] = offsets[k];
        for (int d = 0; d < shape.length; d++) s[1 + d] = strides[k][d];
        return s;
    }
}
