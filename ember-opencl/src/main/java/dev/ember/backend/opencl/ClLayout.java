package dev.ember.backend.opencl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 8-d form in which kernels see strided operands that share one shape: size-1 dims dropped,
 * dims that are contiguous in every operand merged, and the rest padded in front with size 1
 * (stride 0). Each kernel decomposes a linear index over {@link #shape} and dots it with an
 * operand's {@link #strides}.
 *
 * @param shape   8 sizes
 * @param strides per operand, 8 strides in elements
 */
record ClLayout(int[] shape, int[][] strides) {

    /** Most dims a kernel indexes. */
    static final int MAX_RANK = 8;

    /** The merged 8-d layout of operands of {@code shape} with the given strides. */
    static ClLayout of(String op, int[] shape, int[]... operandStrides) {
        List<int[]> dims = new ArrayList<>(); // each: size, stride of operand 0, 1, ...
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            int[] dim = new int[1 + operandStrides.length];
            dim[0] = shape[d];
            for (int o = 0; o < operandStrides.length; o++) dim[1 + o] = operandStrides[o][d];
            if (!dims.isEmpty() && mergeable(dims.getLast(), dim)) {
                int[] prev = dims.getLast();
                prev[0] *= dim[0];
                for (int o = 1; o < dim.length; o++) prev[o] = dim[o];
            } else {
                dims.add(dim);
            }
        }
        if (dims.size() > MAX_RANK)
            throw new IllegalArgumentException("opencl " + op + ": shape " + Arrays.toString(shape) + " has "
                    + dims.size() + " non-mergeable dims; at most " + MAX_RANK + " are supported");
        int[] s8 = new int[MAX_RANK];
        int[][] st8 = new int[operandStrides.length][MAX_RANK];
        Arrays.fill(s8, 1);
        int pad = MAX_RANK - dims.size();
        for (int i = 0; i < dims.size(); i++) {
            s8[pad + i] = dims.get(i)[0];
            for (int o = 0; o < operandStrides.length; o++) st8[o][pad + i] = dims.get(i)[1 + o];
        }
        return new ClLayout(s8, st8);
    }

    /** Pads without merging (for ops that address one dim), so {@code dim} moves to {@code dim + 8 - rank}. */
    static ClLayout padded(String op, int[] shape, int[]... operandStrides) {
        if (shape.length > MAX_RANK)
            throw new IllegalArgumentException("opencl " + op + ": rank " + shape.length + " exceeds " + MAX_RANK);
        int pad = MAX_RANK - shape.length;
        int[] s8 = new int[MAX_RANK];
        Arrays.fill(s8, 1);
        System.arraycopy(shape, 0, s8, pad, shape.length);
        int[][] st8 = new int[operandStrides.length][MAX_RANK];
        for (int o = 0; o < operandStrides.length; o++) System.arraycopy(operandStrides[o], 0, st8[o], pad, shape.length);
        return new ClLayout(s8, st8);
    }

    /** Two adjacent dims (outer {@code a}, inner {@code b}) merge when every operand steps over b's extent exactly. */
    private static boolean mergeable(int[] a, int[] b) {
        for (int o = 1; o < a.length; o++) if ((long) a[o] != (long) b[o] * b[0]) return false;
        return true;
    }

    /** Operand {@code o}'s strides. */
    int[] stride(int o) { return strides[o]; }
}
