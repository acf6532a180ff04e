package dev.ember.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU GEMM against a float64 scalar reference written here: odd sizes that leave
 * partial tiles at every edge, every micro-kernel width, depths beyond one packed block, transposed (strided)
 * operands, A packed or read in place, accumulation into C and overwriting it, 1 and 2 threads, and batched
 * products (shared operands included) through {@link SimdGemm#gemmBatch} and {@link Tensor#matmul}. Tagged
 * "conformance" so it also runs with 8-lane (AVX2) vectors.
 */
@Tag("conformance")
class GemmTest {

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    /** {@code C[i][j] = c0[i][j] + sum_p A[i][p] * B[p][j]} in float64 with the given element strides. */
    private static double[] reference(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs, int bcs,
                                      float[] c0, int ldc) {
        double[] c = new double[m * ldc];
        for (int i = 0; i < m * ldc; i++) c[i] = c0[i]; // padding columns keep their values
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = c0[i * ldc + j];
                for (int p = 0; p < k; p++) s += (double) a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                c[i * ldc + j] = s;
            }
        return c;
    }

    private static void assertClose(double[] want, float[] got, int m, int n, int ldc, int k, String what) {
        // float32 accumulation error grows like sqrt(k) * eps * |terms|; terms are below 1.
        double tol = 1e-5 * Math.sqrt(k) * 4 + 1e-6;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double w = want[i * ldc + j], g = got[i * ldc + j];
                if (Math.abs(w - g) > tol * Math.max(1, Math.abs(w)))
                    throw new AssertionError(what + ": C[" + i + "][" + j + "] = " + g + ", reference " + w);
            }
        // Columns past n (row padding when ldc > n) must be untouched.
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++) assertEquals((float) want[i * ldc + j], got[i * ldc + j], 0f, what + ": wrote past column n");
    }

    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @CsvSource({
            "1,1,1,false,false", "3,5,7,false,false", "17,65,33,false,false", "4,64,512,false,false",
            "67,131,515,false,false", "130,70,1100,false,false", "67,131,515,true,false", "67,131,515,false,true",
            "67,131,515,true,true", "128,10,128,false,false", "300,5,40,true,false", "70,31,600,false,true", "8,300,2000,false,false", "9,290,2100,true,true", "64,196,288,false,false", "5,300,9,true,true",
            // few rows (one packed A block, strips packed inline) with depth blocks, or the depth split across threads
            // (also into a transposed C); transposed B in 16 x 16 blocks
            "64,300,1040,false,true", "96,200,530,true,true", "200,20,3000,false,false", "97,130,40,false,true", "33,129,47,false,true", "20,1000,9,false,false",
            // row-major A read in place for B of one or two strips (16 lanes): 8-row and 4-row kernels, leftover rows
            // packed, many-row blocks, depth blocks
            "203,32,37,false,false", "45,128,70,false,true", "13,16,600,false,false", "100,48,19,false,false", "150,96,530,false,true"})
    void packedGemmMatchesReference(int m, int n, int k, boolean transA, boolean transB) {
        int ldc = n + 3, ao = 5, bo = 11, co = 0;
        float[] a = random(ao + m * k, 1), b = random(bo + k * n, 2);
        float[] c0 = random(m * ldc, 3);
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        int brs = transB ? 1 : n, bcs = transB ? k : 1;
        double[] want = reference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c0, ldc);
        for (int threads : new int[]{1, 2}) {
            int before = Parallel.threads();
            Parallel.setThreads(threads);
            try {
                float[] c = c0.clone();
                SimdGemm.gemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, true, true);
                assertClose(want, c, m, n, ldc, k, "gemm += " + m + "x" + n + "x" + k + " threads=" + threads);
                // Overwriting: C's old values must not leak into the product (nor into the padding columns).
                float[] zeros = new float[m * ldc], c2 = c0.clone();
                for (int i = 0; i < m; i++) System.arraycopy(c0, i * ldc + n, zeros, i * ldc + n, ldc - n);
                SimdGemm.gemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c2, co, ldc, false, true);
                assertClose(reference(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, zeros, ldc), c2, m, n, ldc, k,
                        "gemm = " + m + "x" + n + "x" + k + " threads=" + threads);
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    /**
     * Few rows (one A block), more than one depth block and enough B strips to share: with 2 threads A is packed for
     * every depth block at once and each thread takes strips through all of them ({@code SimdGemm.allDepths}). The
     * shapes with a depth past 512 reach that path at both widths (KC 512): partial row tiles, a narrow last
     * strip, transposed operands (A packed column by column, B by register transposes), rows of A read in place
     * (100 x 128 x 300, 16 lanes) with the leftover rows packed. The last three have few strips over a long depth,
     * cut into depth slices ({@code SimdGemm.depthSplit}: 2, or 4 from a depth of 1024): that path used to cut the
     * depth once per thread, so 64 x 196 x 700 summed differently on 2 threads than on 1 (C[0][0] -3.9117727 against
     * -3.9117737, 16 lanes). With fewer than four B strips per thread the tasks also split the rows
     * ({@code SimdGemm.rowGroups}). Many rows on two threads go through {@code SimdGemm.manyRows}, whose tasks run
     * out of order across row chunks. The 2-thread result must equal the 1-thread result bit for bit, and both the
     * float64 reference.
     */
    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4}")
    @CsvSource({"20,500,600,false,false", "21,500,600,true,false", "19,450,1100,false,true", "33,700,530,true,true",
            "100,128,300,false,false", "64,196,288,false,false", "64,196,700,false,false", "17,150,1500,true,false",
            "12,100,3000,false,true",
            // fewer than four strips per thread: tasks also split the rows at multiples of 8 (in-place 4-row kernels
            // with 16 lanes, 2 x 4 in place with 8; 8-row kernels with leftover rows packed; a partial last tile)
            "96,128,400,false,false", "90,64,450,false,false", "256,32,400,false,false", "70,100,400,true,false",
            "64,196,288,false,true",
            // few columns, row-major A (SimdGemm.narrow): row groups shared by the threads, the last group padded,
            // B transposed, one or two vectors wide; past NARROW_MAX_DEPTH the transposed product again
            "4099,10,300,false,false", "1001,17,64,false,true", "2050,31,200,false,false", "517,3,9000,false,false",
            // many rows (SimdGemm.manyRows): tasks of depth block x row chunk with B packed on demand into two
            // alternating panel slots (three depth blocks), partial tiles, transposed operands, rows read in place,
            // and two column panels (past NC = 4096)
            "700,300,1100,false,false", "517,130,600,true,true", "1030,100,300,false,true", "600,32,700,false,false",
            "300,4150,140,false,false",
            // 8 lanes: a last strip of 16 columns (full width) through the two-tile kernel, chunks cut at odd tiles
            "260,256,300,false,false", "261,64,300,true,false"})
    void fewRowsOverDepthBlocksAgreeAcrossThreads(int m, int n, int k, boolean transA, boolean transB) {
        int ldc = n + 2;
        float[] a = random(m * k, 81), b = random(k * n, 82), c0 = random(m * ldc, 83);
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        int brs = transB ? 1 : n, bcs = transB ? k : 1;
        double[] want = reference(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c0, ldc);
        int before = Parallel.threads();
        float[][] got = new float[3][];
        try {
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] c = c0.clone();
                SimdGemm.gemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, ldc, true, true);
                assertClose(want, c, m, n, ldc, k, "few rows += " + m + "x" + n + "x" + k + " threads=" + threads);
                got[threads] = c;
            }
        } finally {
            Parallel.setThreads(before);
        }
        for (int i = 0; i < got[1].length; i++)
            if (Float.floatToRawIntBits(got[1][i]) != Float.floatToRawIntBits(got[2][i]))
                throw new AssertionError("few rows " + m + "x" + n + "x" + k + ": C[" + i / ldc + "][" + i % ldc + "] = "
                        + got[2][i] + " with 2 threads, " + got[1][i] + " with 1");
    }

    @Test
    void everyKernelWidthMatchesReference() {
        // Widths 1 .. NR + L reach every edge kernel (and the full one) with partial row tiles; odd depths leave a
        // single step after the paired steps of the split-accumulator kernels.
        for (int n = 1; n <= SimdGemm.NR + GemmKernels.L; n++) {
            for (int k : new int[]{1, 37}) {
                int m = Math.min(n, 2 * SimdGemm.MR + 1), ldc = n + 1;
                float[] a = random(m * k, 10 + n), b = random(k * n, 20 + n), c0 = random(m * ldc, 30 + n);
                double[] want = reference(m, n, k, a, 0, k, 1, b, 0, n, 1, c0, ldc);
                float[] c = c0.clone();
                SimdGemm.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, ldc, true, false);
                assertClose(want, c, m, n, ldc, k, "gemm += " + m + "x" + n + "x" + k);
            }
        }
    }

    @Test
    void inPlaceKernelsMatchReference() {
        // Widths whose row-major A is read in place at this vector width (16 lanes: up to two strips; 8 lanes: four
        // vectors, through the few-column path), with odd row counts (the rows past the last in-place group are packed), a depth past one packed block, rows
        // below and above one A block (MC), C with padding columns, overwritten and accumulated.
        int L = GemmKernels.L;
        // (every width at both vector widths: those not read in place go through the packed or the few-column path)
        for (int n : new int[]{2 * L, 4 * L, 2 * SimdGemm.NR}) {
            for (int m : new int[]{1, 3, 37, SimdGemm.MC + 2 * SimdGemm.MR + 1})
                for (int k : new int[]{1, 32, SimdGemm.KC + 3})
                    for (boolean add : new boolean[]{false, true}) {
                        int ldc = n + 3;
                        float[] a = random(m * k, 70 + n), b = random(k * n, 71 + m), c0 = random(m * ldc, 72 + k);
                        double[] want = reference(m, n, k, a, 0, k, 1, b, 0, n, 1, add ? c0 : new float[m * ldc], ldc);
                        if (!add) for (int i = 0; i < m; i++) for (int j = n; j < ldc; j++) want[i * ldc + j] = c0[i * ldc + j];
                        float[] c = c0.clone();
                        SimdGemm.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, ldc, add, false);
                        assertClose(want, c, m, n, ldc, k, "in place " + m + "x" + n + "x" + k + (add ? " +=" : ""));
                    }
        }
        // 16 lanes read attention's head size 32 in place; 8 lanes pack A for the 6-row kernel (its tiles and the
        // in-place kernels' 4-row groups would not meet), whose rows are the packed tests' above
        assertEquals(GemmKernels.WIDE, GemmKernels.inPlace(32), "attention's head size 32 reads A in place with 16 lanes");
    }

    /**
     * {@link GemmKernels#rowBlockInPlace} sends twelve-row groups of a two- or four-vector strip through the 6-row
     * kernels with 16 lanes and the rest through the 4-row ones: every row count it takes (multiples of the in-place
     * row count, up to 40, past the last twelve-row group or not), overwriting and adding, must give the bits of the
     * row-by-group {@link GemmKernels#rowsInPlace} calls, and both the float64 reference. The rows of A are 131 floats
     * apart and C's 3 past its strip, so a kernel that mixed up a row's offset or C's row stride would differ.
     */
    @Test
    void rowBlocksMatchRowGroupsBitForBit() {
        int L = GemmKernels.L, k = 45, ars = 131;
        for (int w : new int[]{L, 2 * L, 4 * L}) {
            if (!GemmKernels.inPlace(w)) continue;
            int ldc = w + 3, rows = GemmKernels.inPlaceRows(w);
            float[] bp = random(k * w, 90 + w);
            for (int count = rows; count <= 40; count += rows) {
                float[] a = random(3 + count * ars, 91 + count), c0 = random(count * ldc, 92 + count);
                for (boolean add : new boolean[]{false, true}) {
                    float[] byGroup = c0.clone(), byBlock = c0.clone();
                    for (int i = 0; i < count; i += rows)
                        GemmKernels.rowsInPlace(w, k, a, 3 + i * ars, ars, bp, 0, byGroup, i * ldc, ldc, add);
                    GemmKernels.rowBlockInPlace(w, count, k, a, 3, ars, bp, 0, byBlock, 0, ldc, add);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(byGroup, byBlock,
                            "row block of " + count + " rows, strip " + w + (add ? " +=" : ""));
                    double[] want = reference(count, w, k, a, 3, ars, 1, bp, 0, w, 1, add ? c0 : new float[count * ldc], ldc);
                    if (!add) for (int i = 0; i < count; i++) for (int j = w; j < ldc; j++) want[i * ldc + j] = c0[i * ldc + j];
                    assertClose(want, byBlock, count, w, ldc, k, "row block of " + count + " rows, strip " + w);
                }
            }
        }
    }

    @Test
    void repeatedCallsReuseBuffersWithoutStaleData() {
        // A big call leaves large packed buffers behind; a small call after it must not read their leftovers.
        float[] a = random(300 * 600, 4), b = random(600 * 200, 5);
        SimdGemm.gemm(300, 200, 600, a, 0, 600, 1, b, 0, 200, 1, new float[300 * 200], 0, 200, true, true);
        float[] sa = random(7 * 9, 6), sb = random(9 * 13, 7), c = new float[7 * 13];
        SimdGemm.gemm(7, 13, 9, sa, 0, 9, 1, sb, 0, 13, 1, c, 0, 13, true, true);
        assertClose(reference(7, 13, 9, sa, 0, 9, 1, sb, 0, 13, 1, new float[7 * 13], 13), c, 7, 13, 13, 9, "small after big");
    }

    @Test
    void batchedMatmulThroughTensorMatchesReference() {
        // Attention-like batches (per-batch path) and a broadcast batch of transposed views.
        int batch = 6, m = 33, k = 20, n = 45;
        float[] a = random(batch * m * k, 8), b = random(batch * n * k, 9);
        Tensor ta = Tensor.of(a, batch, m, k);
        Tensor tb = Tensor.of(b, batch, n, k).transpose(1, 2); // [batch, k, n], strided
        float[] got = ta.matmul(tb).toFloatArray();
        assertEquals(batch * m * n, got.length);
        for (int q = 0; q < batch; q++) {
            double[] want = reference(m, n, k, a, q * m * k, k, 1, b, q * n * k, 1, k, new float[m * n], n);
            float[] slice = java.util.Arrays.copyOfRange(got, q * m * n, (q + 1) * m * n);
            assertClose(want, slice, m, n, n, k, "batch " + q);
        }
    }

    @ParameterizedTest(name = "batch {0}: {1}x{2}x{3}, A stride {4}, B stride {5}, transA={6}")
    @CsvSource({
            // shared B with A's batches row after row: one product of batch * m rows
            "5,7,19,33,-1,0,false",
            // shared B, transposed A batches (no folding); shared A; both per batch; big products one after another
            "4,9,21,40,-1,0,true", "3,6,70,17,0,-1,false", "6,33,45,20,-1,-1,true", "3,100,110,120,-1,-1,false"})
    void batchedProductsMatchReference(int batch, int m, int n, int k, int aStride, int bStride, boolean transA) {
        int abs = aStride < 0 ? m * k : aStride, bbs = bStride < 0 ? k * n : bStride;
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        float[] a = random(3 + (batch - 1) * abs + m * k, 40), b = random(2 + (batch - 1) * bbs + k * n, 41);
        for (int threads : new int[]{1, 2}) {
            int before = Parallel.threads();
            Parallel.setThreads(threads);
            try {
                float[] c = random(batch * m * n, 42); // overwritten
                SimdGemm.gemmBatch(batch, m, n, k, a, 3, abs, ars, acs, b, 2, bbs, n, 1, c, 0, m * n, n, true);
                for (int q = 0; q < batch; q++) {
                    double[] want = reference(m, n, k, a, 3 + q * abs, ars, acs, b, 2 + q * bbs, n, 1, new float[m * n], n);
                    assertClose(want, java.util.Arrays.copyOfRange(c, q * m * n, (q + 1) * m * n), m, n, n, k,
                            "product " + q + " of " + batch + ", threads=" + threads);
                }
            } finally {
                Parallel.setThreads(before);
            }
        }
    }

    @Test
    void broadcastBatchThroughTensorMatchesReference() {
        // [b, m, k] @ [1, k, n]: the shared right operand has batch stride 0.
        int batch = 3, m = 5, k = 8, n = 70;
        float[] a = random(batch * m * k, 43), b = random(k * n, 44);
        float[] got = Tensor.of(a, batch, m, k).matmul(Tensor.of(b, 1, k, n)).toFloatArray();
        for (int q = 0; q < batch; q++) {
            double[] want = reference(m, n, k, a, q * m * k, k, 1, b, 0, n, 1, new float[m * n], n);
            assertClose(want, java.util.Arrays.copyOfRange(got, q * m * n, (q + 1) * m * n), m, n, n, k, "batch " + q);
        }
    }

    /**
     * The five products of a GPT attention head, batched as the backend's batched matmul calls them: {@code q k^T}
     * (B transposed), {@code P v}, and in backward {@code dS^T q}, {@code P^T dO} (A transposed) and {@code dS k};
     * a sequence of 128 (the character GPT's) and an odd 37, head size 32. Each against float64, and the same bits
     * with 1 and 2 threads (training resumes bit-identically, whatever the thread count).
     */
    @ParameterizedTest(name = "T={0}, d={1}")
    @CsvSource({"128,32", "37,32", "45,20"})
    void attentionShapedBatchesMatchReferenceAndAgreeAcrossThreads(int t, int d) {
        int batch = 5;
        float[] q = random(batch * t * d, 50), kk = random(batch * t * d, 51), p = random(batch * t * t, 52);
        // name, m, n, k, A (array, batch stride, row stride, column stride), B (the same)
        record Form(String name, int m, int n, int k, float[] a, int abs, int ars, int acs, float[] b, int bbs, int brs, int bcs) {}
        Form[] forms = {
                new Form("q k^T", t, t, d, q, t * d, d, 1, kk, t * d, 1, d),
                new Form("P v", t, d, t, p, t * t, t, 1, kk, t * d, d, 1),
                new Form("dS^T q", t, d, t, p, t * t, 1, t, q, t * d, d, 1),
                new Form("dS k", t, d, t, p, t * t, t, 1, kk, t * d, d, 1),
                new Form("P^T dO, shared dO", t, d, t, p, t * t, 1, t, q, 0, d, 1)};
        int before = Parallel.threads();
        try {
            for (Form f : forms) {
                float[][] out = new float[2][];
                for (int threads = 1; threads <= 2; threads++) {
                    Parallel.setThreads(threads);
                    float[] c = random(batch * f.m * f.n, 53); // overwritten
                    SimdGemm.gemmBatch(batch, f.m, f.n, f.k, f.a, 0, f.abs, f.ars, f.acs, f.b, 0, f.bbs, f.brs, f.bcs, c, 0,
                            f.m * f.n, f.n, true);
                    out[threads - 1] = c;
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(out[0], out[1], f.name + ": 1 and 2 threads differ");
                for (int b = 0; b < batch; b++) {
                    double[] want = reference(f.m, f.n, f.k, f.a, b * f.abs, f.ars, f.acs, f.b, b * f.bbs, f.brs, f.bcs,
                            new float[f.m * f.n], f.n);
                    assertClose(want, java.util.Arrays.copyOfRange(out[0], b * f.m * f.n, (b + 1) * f.m * f.n), f.m, f.n, f.n,
                            f.k, f.name + ", product " + b);
                }
            }
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void releasedResultIsOverwrittenNotAccumulated() {
        // GemmBench closes each result, so the next product of that shape gets the same array back from the
        // caching allocator, uninitialised: here full of NaN, which any read of the old C would carry into the result.
        int batch = 4, m = 37, k = 32, n = 45;
        float[] a = random(batch * m * k, 60), b = random(batch * k * n, 61);
        Tensor ta = Tensor.of(a, batch, m, k), tb = Tensor.of(b, batch, k, n);
        for (int round = 0; round < 3; round++) {
            Tensor c = ta.matmul(tb);
            float[] got = c.toFloatArray();
            for (int q = 0; q < batch; q++) {
                double[] want = reference(m, n, k, a, q * m * k, k, 1, b, q * k * n, n, 1, new float[m * n], n);
                assertClose(want, java.util.Arrays.copyOfRange(got, q * m * n, (q + 1) * m * n), m, n, n, k,
                        "round " + round + ", product " + q);
            }
            c.fillInPlace(Float.NaN);
            c.close();
        }
    }

    @Test
    void emptyDepthLeavesOutputZero() {
        Tensor out = Tensor.zeros(3, 0).matmul(Tensor.zeros(0, 4));
        float[] v = out.toFloatArray();
        assertEquals(12, v.length);
        for (float x : v) assertEquals(0f, x);
        assertTrue(Simd.AVAILABLE, "these tests are meant to exercise the SIMD GEMM; run with --add-modules jdk.incubator.vector");
    }

    /**
     * The 8-lane kernel's load fences follow {@code -XX:-OptoRegScheduling} (without C2's scheduling before register
     * allocation the fences would make it spill): a child JVM with the flag runs without them, one without it with them,
     * and both compute a product with a partial tile and strip, two depth blocks and a bias-free overwrite and add as the
     * float64 reference does.
     */
    @Test
    void rowFencesFollowTheSchedulingFlag() throws Exception {
        for (boolean off : new boolean[]{true, false}) {
            var r = dev.ember.testing.ChildJvm.run(off ? java.util.List.of("-XX:-OptoRegScheduling") : java.util.List.of(),
                    java.util.Map.of(), 2, FencesProbe.class.getName());
            String out = r.output();
            assertEquals(0, r.exitCode(), out);
            assertTrue(out.contains("row fences: " + !off), out);
            assertTrue(out.contains("product within tolerance"), out);
        }
        assertTrue(GemmKernels.ROW_FENCES, "this JVM runs with C2's default scheduling");
    }

    /** The child of {@link #rowFencesFollowTheSchedulingFlag}. */
    public static final class FencesProbe {
        public static void main(String[] args) {
            int m = 37, n = 53, k = SimdGemm.KC + 29, ldc = n + 3;
            float[] a = random(m * k, 1), b = random(k * n, 2), c0 = random(m * ldc, 3);
            for (boolean add : new boolean[]{false, true}) {
                double[] want = reference(m, n, k, a, 0, k, 1, b, 0, n, 1, add ? c0 : new float[m * ldc], ldc);
                if (!add) for (int i = 0; i < m; i++) for (int j = n; j < ldc; j++) want[i * ldc + j] = c0[i * ldc + j];
                float[] c = c0.clone();
                SimdGemm.gemm(m, n, k, a, 0, k, 1, b, 0, n, 1, c, 0, ldc, add, false);
                assertClose(want, c, m, n, ldc, k, "child " + (add ? "+=" : "="));
            }
            System.out.println("row fences: " + GemmKernels.ROW_FENCES);
            System.out.println("product within tolerance");
        }
    }
}
