package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CPU's 64-bit path ({@link SegmentStorage} and {@link Indexing64}) on small tensors: with the off-heap threshold
 * lowered to 16 elements and chunks of a few elements, every op below runs chunk by chunk across many chunk edges, and
 * must give what the heap path gives (bit for bit where each element's arithmetic is the same; reductions whose rows
 * span several chunks against float64 sums). Tensors of more than 2^31 elements: {@code LargeTensorTest} (tag large).
 */
class Indexing64Test {

    /** Runs {@code body} with storages past 16 elements off the heap and chunks of {@code chunk} elements. */
    private static <T> T offHeap(int chunk, Supplier<T> body) {
        long threshold = CpuBackend.segmentAbove;
        int chunkBefore = Indexing64.chunk;
        CpuBackend.segmentAbove = 16;
        Indexing64.chunk = chunk;
        try {
            return body.get();
        } finally {
            CpuBackend.segmentAbove = threshold;
            Indexing64.chunk = chunkBefore;
        }
    }

    private static boolean offHeap(Tensor t) { return t.strided().storage() instanceof SegmentStorage; }

    private static float[] values(int n, int seed) {
        float[] v = new float[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) v[i] = (float) Math.round(r.nextGaussian() * 8) / 4; // ties for max and argmax
        return v;
    }

    /** A set of ops on two [7, 9] inputs and a [9] vector, each result read back as doubles. */
    private static List<double[]> run(boolean offHeapInputs) {
        Tensor a0 = Tensor.of(values(63, 1), 7, 9), b0 = Tensor.of(values(63, 2), 7, 9), v0 = Tensor.of(values(9, 3), 9);
        Tensor a = a0, b = b0;
        if (offHeapInputs) { // copies into off-heap storages, through the chunked copy
            a = Tensor.zeros(7, 9).copyFrom(a0);
            b = Tensor.zeros(7, 9).copyFrom(b0);
            assertTrue(offHeap(a) && offHeap(b), "the inputs live off the heap");
        }
        List<double[]> out = new ArrayList<>();
        out.add(a.exp().toDoubleArray());
        out.add(a.neg().relu().toDoubleArray());
        out.add(a.add(v0).toDoubleArray()); // broadcast of a heap operand
        out.add(a.transpose(0, 1).mul(b.transpose(0, 1)).toDoubleArray()); // strided views
        out.add(a.gt(b).toDoubleArray()); // BOOL out
        out.add(Tensor.where(a.gt(0.0), a, b).toDoubleArray());
        out.add(a.to(DType.INT32).toDoubleArray());
        out.add(a.to(DType.FLOAT16).to(DType.FLOAT32).toDoubleArray());
        out.add(a.to(DType.FLOAT64).mul(3.0).toDoubleArray());
        out.add(a.sum(1).toDoubleArray()); // rows of 9
        out.add(a.max(0).toDoubleArray()); // columns: strided rows
        out.add(a.argmax(1).toDoubleArray());
        out.add(a.argmin(0).toDoubleArray());
        out.add(a.to(DType.INT64).sum(0).toDoubleArray());
        out.add(a.gt(0.0).sum(1).toDoubleArray());
        out.add(a.softmax(1).toDoubleArray());
        out.add(a.narrow(0, 3, 2).narrow(1, 2, 5).toDoubleArray());
        out.add(a.maskedFill(a.lt(0.0), 7).toDoubleArray());
        Tensor c = a.mul(1.0);
        c.narrow(1, 4, 3).fillInPlace(-2);
        c.narrow(0, 5, 2).addInPlace(b.narrow(0, 0, 2));
        out.add(c.toDoubleArray());
        Ember.manualSeed(11);
        out.add(Tensor.rand(5, 13).toDoubleArray());
        out.add(Tensor.randn(61).toDoubleArray()); // odd: the last Philox block half used
        return out;
    }

    @ParameterizedTest(name = "chunks of {0}")
    @ValueSource(ints = {2, 6, 64, 1 << 20})
    void opsMatchTheHeapPath(int chunk) {
        List<double[]> heap = run(false);
        List<double[]> segment = offHeap(chunk, () -> run(true));
        assertEquals(heap.size(), segment.size());
        for (int i = 0; i < heap.size(); i++) {
            double tol = i == 15 ? 1e-6 : 0; // softmax: the heap path's fused kernel against the composed one
            assertArrayEquals(heap.get(i), segment.get(i), tol, "result " + i + " with chunks of " + chunk);
        }
    }

    @Test
    void reductionsOfRowsLongerThanAChunk() {
        float[] v = values(3 * 50, 4);
        v[61] = v[62] = 100; // a tie for the maximum in row 1 (local 11 and 12), on both sides of a chunk edge at chunk 6
        v[130] = Float.NaN; // NaN wins max and argmax, as in PyTorch
        double[][] got = offHeap(6, () -> {
            Tensor x = Tensor.zeros(3, 50).copyFrom(Tensor.of(v, 3, 50));
            assertTrue(offHeap(x));
            return new double[][]{x.sum(1).toDoubleArray(), x.max(1).toDoubleArray(), x.argmax(1).toDoubleArray(),
                    x.argmin(1).toDoubleArray(), x.to(DType.INT64).sum(1).toDoubleArray(), new double[]{x.select(0, 0).prod().item(), x.select(0, 1).prod().item()}};
        });
        for (int row = 0; row < 3; row++) {
            double sum = 0, max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY, prod = 1;
            long isum = 0;
            int argmax = -1, argmin = -1;
            for (int j = 0; j < 50; j++) {
                double e = v[row * 50 + j];
                sum += e;
                prod *= e;
                isum += (long) e;
                if (Double.isNaN(max)) continue;
                if (Double.isNaN(e) || e > max) { max = e; argmax = j; }
                if (e < min) { min = e; argmin = j; }
            }
            if (row < 2) assertEquals(sum, got[0][row], 1e-4 * Math.max(1, Math.abs(sum)), "sum of row " + row);
            else assertTrue(Double.isNaN(got[0][row]), "a NaN sums to NaN");
            assertEquals(max, got[1][row], 0, "max of row " + row);
            assertEquals(argmax, got[2][row], 0, "argmax of row " + row);
            if (row < 2) assertEquals(argmin, got[3][row], 0, "argmin of row " + row);
            if (row < 2) assertEquals(isum, got[4][row], 0, "INT64 sum of row " + row);
            if (row < 2) assertEquals(prod, got[5][row], 1e-5 * Math.abs(prod), "prod of row " + row);
        }
        assertEquals(11, got[2][1], 0, "the first of two equal maxima, in different chunks");
        assertEquals(30, got[2][2], 0, "the NaN");
    }

    @Test
    void thirtyTwoBitKernelsStageOffHeapOperands() {
        Tensor a0 = Tensor.of(values(30, 5), 5, 6), b0 = Tensor.of(values(24, 6), 6, 4);
        double[] heap = a0.matmul(b0).toDoubleArray();
        double[] staged = offHeap(8, () -> {
            Tensor a = Tensor.zeros(5, 6).copyFrom(a0), b = Tensor.zeros(6, 4).copyFrom(b0);
            assertTrue(offHeap(a) && offHeap(b));
            return a.matmul(b).toDoubleArray();
        });
        assertArrayEquals(heap, staged, 0, "the same GEMM on heap copies");
        // An operand past what one heap array holds (a broadcast view of 2^32 elements) is refused by name.
        var e = assertThrows(UnsupportedOperationException.class,
                () -> Tensor.ones(1, 1).expand(1L << 16, 1L << 16).matmul(Tensor.ones(1L << 16, 1)));
        assertTrue(e.getMessage().startsWith("matmul: an operand of 4294967296 elements"), e.getMessage());
    }

    @Test
    void sixteenBitScatterAddSumsInFloat32AndRoundsOnceAsTheHeapPath() {
        long[] idx = new long[200];
        for (int i = 0; i < idx.length; i++) idx[i] = i % 4;
        Tensor index = Tensor.of(idx, 200, 1).expand(200, 5);
        Ember.manualSeed(5);
        Tensor src0 = Tensor.rand(200, 5).to(DType.FLOAT16); // sums near 33, where FLOAT16 steps by 1/32: each rounding shows
        double[] heap = Tensor.zeros(4, 5).to(DType.FLOAT16).scatterAdd(0, index, src0).toDoubleArray();
        double[] segment = offHeap(6, () -> {
            Tensor big = Tensor.zeros(DType.FLOAT16, 40).narrow(0, 0, 20).view(4, 5); // the result, a copy, is off the heap too
            assertTrue(offHeap(big));
            return big.scatterAdd(0, index, src0).toDoubleArray();
        });
        assertArrayEquals(heap, segment, 0, "50 additions into each element: one rounding at the end, as on the heap");
    }

    @Test
    void offHeapStoragesAreCountedInTheMemoryStatistics() {
        offHeap(8, () -> {
            long before = CpuBackend.INSTANCE.memoryStats().allocated();
            Tensor t = Tensor.zeros(DType.FLOAT64, 1000);
            assertTrue(offHeap(t));
            assertEquals(before + 8000, CpuBackend.INSTANCE.memoryStats().allocated());
            t.close();
            assertEquals(before, CpuBackend.INSTANCE.memoryStats().allocated());
            return null;
        });
    }

    @Test
    void aStorageLargerThanMemoryIsAClearError() {
        var e = assertThrows(OutOfMemoryError.class, () -> Tensor.zeros(DType.BOOL, 1L << 56));
        assertTrue(e.getMessage().startsWith("cpu: a tensor of " + (1L << 56) + " BOOL elements needs"), e.getMessage());
    }

    @Test
    void releasedSegmentsAreFreedAndRefused() {
        offHeap(8, () -> {
            Tensor t = Tensor.ones(40);
            assertInstanceOf(SegmentStorage.class, t.strided().storage());
            t.close();
            var e = assertThrows(IllegalStateException.class, t::sum);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
            return null;
        });
    }
}
