package dev.ember.backend.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Dimension merging for the kernels' strided structs, checked against direct index arithmetic (the prelude's
 * {@code offset_of}, written out in Java, including its early exit).
 */
class LayoutTest {

    @Test
    void contiguousTensorOfAnyRankBecomesRankOne() {
        var l = Layout.of("add", new long[]{2, 3, 4}, new long[][]{{12, 4, 1}, {12, 4, 1}}, new long[]{0, 5});
        assertArrayEquals(new long[]{24}, l.shape());
        assertTrue(l.dense(0) && l.dense(1));
        assertArrayEquals(new long[]{1, 24, 24, 1, 1, 1, 1, 1, 1, 1}, l.shapeStruct());
        assertArrayEquals(new long[]{5, 1, 0, 0, 0, 0, 0, 0, 0}, l.stridesStruct(1));
    }

    @Test
    void broadcastRowKeepsTwoDimensionsAndScalarIsDetected() {
        var l = Layout.of("add", new long[]{4, 6}, new long[][]{{6, 1}, {0, 1}, {0, 0}}, new long[]{0, 0, 3});
        assertArrayEquals(new long[]{4, 6}, l.shape());
        assertFalse(l.scalar(1));
        assertTrue(l.scalar(2));
        assertFalse(l.dense(0));
    }

    @Test
    void sizeOneDimensionsAreDroppedAndEmptyShapeIsOneElement() {
        var l = Layout.of("neg", new long[]{1, 1}, new long[][]{{7, 3}}, new long[]{2});
        assertEquals(0, l.shape().length);
        assertEquals(1, l.numel());
        assertTrue(l.dense(0));
    }

    @Test
    void tooManyUnmergeableDimensionsAreRejectedByName() {
        long[] shape = new long[9], strides = new long[9];
        for (int d = 0; d < 9; d++) { shape[d] = 2; strides[d] = 1L << (2 * (8 - d)); } // stride 4^k: never mergeable
        var e = assertThrows(IllegalArgumentException.class, () -> Layout.of("mul", shape, new long[][]{strides}, new long[]{0}));
        assertTrue(e.getMessage().startsWith("mul:") && e.getMessage().contains("at most 8"), e.getMessage());
    }

    /** offset_of over the merged layout must visit the same elements as the original strides. */
    @Test
    void mergedLayoutAddressesTheSameElementsAsTheOriginal() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int rank = 1 + rnd.nextInt(5);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) shape[d] = 1 + rnd.nextInt(4);
            long[][] strides = new long[2][rank];
            // operand 0: contiguous, possibly permuted dims; operand 1: random broadcast zeros.
            long s = 1;
            for (int d = rank - 1; d >= 0; d--) { strides[0][d] = s; s *= shape[d]; }
            for (int d = 0; d < rank; d++) strides[1][d] = rnd.nextBoolean() ? 0 : strides[0][d] * (1 + rnd.nextInt(2));
            long[] offsets = {rnd.nextInt(5), rnd.nextInt(5)};
            var l = Layout.of("t", shape, strides, offsets);
            int n = (int) l.numel();
            for (int i = 0; i < n; i++)
                for (int k = 0; k < 2; k++)
                    assertEquals(direct(shape, strides[k], offsets[k], i), offsetOf(l.shapeStruct(), l.stridesStruct(k), i),
                            "trial " + trial + " element " + i + " operand " + k);
        }
    }

    private static long direct(long[] shape, long[] strides, long off, long i) {
        for (int d = shape.length - 1; d >= 0; d--) { off += (i % shape[d]) * strides[d]; i /= shape[d]; }
        return off;
    }

    private static long offsetOf(long[] shapeStruct, long[] stridesStruct, long i) {
        long off = stridesStruct[0];
        for (int d = (int) shapeStruct[0] - 1; d >= 0 && i != 0; d--) {
            long dim = shapeStruct[2 + d];
            off += (i % dim) * stridesStruct[1 + d];
            i /= dim;
        }
        return off;
    }

    /** A view past 2^31 elements keeps its 64-bit sizes, strides and offsets, and its extent asks for 64-bit indices. */
    @Test
    void sixtyFourBitSizesStridesAndOffsetsPassThrough() {
        long big = 3L << 31;
        var l = Layout.of("copy", new long[]{3, 1L << 31}, new long[][]{{1L << 31, 1}, {1, 3}}, new long[]{big, 0});
        assertArrayEquals(new long[]{3, 1L << 31}, l.shape());
        assertEquals(3L << 31, l.numel());
        assertArrayEquals(new long[]{2, 3L << 31, 3, 1L << 31, 1, 1, 1, 1, 1, 1}, l.shapeStruct());
        assertArrayEquals(new long[]{big, 1L << 31, 1, 0, 0, 0, 0, 0, 0}, l.stridesStruct(0));
        assertEquals(big + 2 * (1L << 31) + (1L << 31) - 1 + 1, l.extent());
        assertEquals(IndexWidth.I64, IndexWidth.forExtent(l.extent()));
        var merged = Layout.of("fill", new long[]{4, 1L << 30}, new long[][]{{1L << 30, 1}}, new long[]{1L << 33});
        assertArrayEquals(new long[]{1L << 32}, merged.shape(), "contiguous dims still merge past 2^31");
        assertTrue(merged.dense(0));
    }

    @Test
    void unmergedKeepsEveryDimensionAndExtentCoversTheFarthestElement() {
        var l = Layout.unmerged("scatterAdd", new long[]{2, 1, 3}, new long[][]{{3, 3, 1}, {0, 0, 2}}, new long[]{4, 1});
        assertArrayEquals(new long[]{2, 1, 3}, l.shape());
        assertEquals(4 + 3 + 2 + 1, l.extent(), "operand 0 reaches element 4 + 1*3 + 2*1");
        var e = assertThrows(IllegalArgumentException.class, () -> Layout.unmerged("gather", new long[9], new long[][]{new long[9]}, new long[]{0}));
        assertTrue(e.getMessage().startsWith("gather:"), e.getMessage());
    }
}
