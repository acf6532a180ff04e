package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Extreme arguments (Long.MAX_VALUE, Long.MIN_VALUE, 2^31, sizes whose product wraps around to the
 * right element count, negative values) thrown at every view and shape op. Each must fail cleanly, with
 * an {@link IllegalArgumentException} or {@link IndexOutOfBoundsException} naming the op, and leave the
 * base and the storage around it untouched. The base is a view in the middle of a larger storage, so a
 * view that passed its checks by overflow and points outside the base would be caught writing there.
 */
class ViewBoundsTest {
    private static final long MAX = Long.MAX_VALUE, MIN = Long.MIN_VALUE, INT_MAX = Integer.MAX_VALUE, TWO_31 = 1L << 31;

    /** Applies {@code f} to a [2, 3, 4] view at offset 8 of a 40-element storage and expects a clean refusal naming {@code op}. */
    private static void refused(String op, Function<Tensor, Object> f) {
        Tensor storage = Tensor.arange(0.0, 40.0, 1.0);
        float[] before = storage.toFloatArray();
        Tensor base = storage.narrow(0, 8, 24).view(2, 3, 4);
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            Object result = f.apply(base);
            // Reached only when the op accepted its arguments: write through what it returned.
            try (var ignored = Ember.noGrad()) {
                for (Object r : result instanceof List<?> l ? l : List.of(result)) ((Tensor) r).fillInPlace(-1);
            }
        }, op + " accepted its arguments");
        assertTrue(e instanceof IllegalArgumentException || e instanceof IndexOutOfBoundsException, op + " threw " + e);
        assertTrue(e.getMessage() != null && e.getMessage().startsWith(op + ":"), op + ": the message names the op: " + e.getMessage());
        assertArrayEquals(before, storage.toFloatArray(), 0f, op + ": the base and its storage are untouched");
    }

    @Test
    void narrowAndSelect() {
        long[][] startLength = {{1, MAX}, {MAX, 1}, {2, MAX - 1}, {MAX, MAX}, {MIN, 1}, {1, MIN}, {-1, MAX}, {MIN, MAX},
                {TWO_31, 1}, {1, TWO_31}, {INT_MAX, 1}, {-TWO_31, 1}, {0, -1}, {3, 2}, {-5, 1}};
        for (long[] sl : startLength) refused("narrow", x -> x.narrow(1, sl[0], sl[1]));
        for (long i : new long[]{MAX, MIN, TWO_31, INT_MAX, -TWO_31, 3, -4}) refused("select", x -> x.select(1, i));
        for (int d : new int[]{Integer.MAX_VALUE, Integer.MIN_VALUE, 3, -4}) refused("narrow", x -> x.narrow(d, 0, 1));
    }

    @Test
    void viewAndReshape() {
        long[][] shapes = {{MAX}, {MIN}, {TWO_31}, {TWO_31, 0}, {-2, -12}, {-2, 12}, {24, MIN},
                {8589934595L, 6148914668330024968L}, // the product wraps around to exactly 24
                {4611686018427387905L, 24}, // 2^62 + 1: cast to int it is 1, so [1, 24] would look right
                {-1, 4611686018427387905L, 4}, // the known product wraps to 4, so -1 would be inferred as 6
                {-1, 4611686018427387904L, 4}, {INT_MAX, INT_MAX, INT_MAX, INT_MAX}, {-1, -1}, {-1, 0}};
        for (long[] s : shapes) {
            refused("view", x -> x.view(s));
            refused("reshape", x -> x.reshape(s));
            refused("reshape", x -> x.transpose(0, 2).reshape(s)); // the copying path
        }
        for (int[] fe : new int[][]{{Integer.MIN_VALUE, 0}, {0, Integer.MAX_VALUE}, {2, 0}})
            refused("flatten", x -> x.flatten(fe[0], fe[1]));
    }

    @Test
    void expand() {
        long[][] shapes = {{MAX, 3, 4}, {MIN, 3, 4}, {(1L << 60) + 1, 3, 4}, {-2, 3, 4}, {-3, -1, -1},
                {TWO_31 - 1, TWO_31 - 1, 1, 3, 4}, {MAX, 1, 3, 4}, {-1, 1, 3, 4}, {1, 5, 4}};
        for (long[] s : shapes) refused("expand", x -> x.narrow(0, 0, 1).expand(s));
        // Past 2^31 elements is a valid view (sizes are 64-bit); it repeats the [1, 3, 4] block without memory.
        Tensor big = Tensor.arange(0.0, 40.0, 1.0).narrow(0, 8, 24).view(2, 3, 4).narrow(0, 1, 1).expand((1L << 32) + 1, 3, 4);
        assertArrayEquals(new long[]{(1L << 32) + 1, 3, 4}, big.shape());
        assertArrayEquals(new long[]{0, 4, 1}, big.stride());
        assertEquals(20, big.storageOffset());
        assertArrayEquals(new float[]{28, 29, 30, 31}, big.select(0, 1L << 32).select(0, 2).toFloatArray());
    }

    @Test
    void splitChunkCatStack() {
        for (long s : new long[]{0, -1, MIN}) refused("split", x -> x.split(s, 0));
        for (int c : new int[]{0, -1, Integer.MIN_VALUE}) refused("chunk", x -> x.chunk(c, 0));
        Tensor storage = Tensor.arange(0.0, 40.0, 1.0);
        Tensor base = storage.narrow(0, 8, 24).view(2, 3, 4);
        assertEquals(1, base.split(MAX, 1).size(), "a split size past the dim gives the whole dim");
        List<Tensor> chunks = base.chunk(Integer.MAX_VALUE, 0); // (2 + chunks - 1) passes 2^31 - 1 in int arithmetic
        assertEquals(2, chunks.size());
        assertArrayEquals(new long[]{1, 3, 4}, chunks.get(1).shape());
        // Two views of 2^60 elements each (stride 0, no memory): their concatenation is too large.
        Tensor huge = Tensor.zeros(1).expand(1L << 60);
        refused("cat", x -> Tensor.cat(0, huge, huge));
        refused("cat", x -> Tensor.stack(0, huge.unsqueeze(0), huge.unsqueeze(0)).reshape(-1));
    }

    @Test
    void dimensionArgumentsAtTheIntExtremes() {
        for (int d : new int[]{Integer.MAX_VALUE, Integer.MIN_VALUE}) {
            refused("unsqueeze", x -> x.unsqueeze(d));
            refused("transpose", x -> x.transpose(d, 0));
            refused("permute", x -> x.permute(d, 0, 1));
            refused("squeeze", x -> x.squeeze(d));
            refused("size", x -> x.size(d));
            refused("select", x -> x.select(d, 0));
        }
    }

    @Test
    void indexing() {
        for (long i : new long[]{MAX, MIN, TWO_31, 2, -1}) {
            Tensor idx = Tensor.of(new long[]{0, i});
            refused("indexSelect", x -> x.indexSelect(0, idx));
            refused("gather", x -> x.gather(0, idx.reshape(2, 1, 1).expand(2, 3, 4)));
            refused("scatterAdd", x -> x.scatterAdd(0, idx.reshape(2, 1, 1).expand(2, 3, 4), Tensor.ones(2, 3, 4)));
        }
        refused("oneHot", x -> Tensor.zeros(DType.INT64, 1).expand(1L << 30).oneHot(Integer.MAX_VALUE)); // 2^61 elements
    }

    @Test
    void slidingWindowArguments() {
        int big = Integer.MAX_VALUE, neg = Integer.MIN_VALUE, half = 1 << 30;
        int[] one = {1, 1}, zero = {0, 0};
        for (int[] k : new int[][]{{big, big}, {neg, neg}, {big, 1}}) {
            refused("unfold", x -> x.reshape(1, 2, 3, 4).unfold(k, one, zero, one));
            refused("maxPool2d", x -> x.reshape(1, 2, 3, 4).maxPool2d(k, one, zero));
            refused("avgPool2d", x -> x.reshape(1, 2, 3, 4).avgPool2d(k, one, zero));
        }
        for (int[] p : new int[][]{{half, half}, {big, big}, {neg, 0}}) {
            refused("unfold", x -> x.reshape(1, 2, 3, 4).unfold(one, one, p, one));
            refused("conv2d", x -> x.reshape(1, 2, 3, 4).conv2d(Tensor.ones(1, 2, 1, 1), null, one, p, one, 1));
            refused("fold", x -> x.reshape(1, 2, 12).fold(new int[]{3, 4}, one, one, p, one));
        }
        for (int[] d : new int[][]{{big, big}, {neg, neg}, {half, 1}}) {
            refused("unfold", x -> x.reshape(1, 2, 3, 4).unfold(new int[]{2, 2}, d, one, one));
            refused("conv2d", x -> x.reshape(1, 2, 3, 4).conv2d(Tensor.ones(1, 2, 2, 2), null, one, zero, d, 1));
        }
        for (int[] s : new int[][]{{neg, neg}, {0, 1}})
            refused("unfold", x -> x.reshape(1, 2, 3, 4).unfold(one, one, zero, s));
        refused("conv2d", x -> x.reshape(1, 2, 3, 4).conv2d(Tensor.ones(1, 2, 1, 1), null, one, zero, one, neg));
        refused("fold", x -> x.reshape(1, 2, 12).fold(new int[]{big, big}, one, one, zero, one));
    }

    @Test
    void creationShapes() {
        long[][] shapes = {{MAX}, {MIN}, {(1L << 60) + 1}, {INT_MAX, INT_MAX, INT_MAX, INT_MAX}, {INT_MAX, INT_MAX, INT_MAX}, {-1, 2}};
        for (long[] s : shapes) refused("zeros", x -> Tensor.zeros(s));
        assertEquals(0, Tensor.zeros(INT_MAX, INT_MAX, 0).numel(), "a zero size makes any shape empty");
    }
}
