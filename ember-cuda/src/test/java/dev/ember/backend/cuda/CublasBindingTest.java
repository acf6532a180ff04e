package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.DType;
import dev.ember.backend.HalfConversions;
import dev.ember.backend.gpu.BlasCall;
import dev.ember.backend.gpu.GemmOperand;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The java.lang.foreign cuBLAS binding and the row-major-to-column-major swap, without a GPU: a
 * stand-in library with cuBLAS's C signatures ({@code emulation/fake_cublas.c}: a plain column-major GEMM on
 * host memory, compiled here with the system C compiler) receives the calls Ember makes for real cuBLAS.
 */
class CublasBindingTest {

    private static Path dir;
    private static Arena arena;
    private static SymbolLookup lookup;

    @BeforeAll
    static void compileStandIn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler to build the stand-in cuBLAS");
        dir = Files.createTempDirectory("fake-cublas");
        Path src = dir.resolve("fake_cublas.c"), lib = dir.resolve("libfakecublas.so");
        try (var in = CublasBindingTest.class.getResourceAsStream("emulation/fake_cublas.c")) {
            Files.write(src, in.readAllBytes());
        }
        Process p = new ProcessBuilder("/usr/bin/cc", "-O1", "-shared", "-fPIC", "-o", lib.toString(), src.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "cc failed: " + out);
        arena = Arena.ofShared();
        lookup = SymbolLookup.libraryLookup(lib, arena);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (arena != null) arena.close();
        if (dir != null) try (var files = Files.list(dir)) { for (Path f : files.toList()) Files.delete(f); Files.delete(dir); }
    }

    @Test
    void handleAndStreamReachTheLibrary() throws Throwable {
        var cublas = new CublasBinding("fake", lookup);
        MemorySegment h = cublas.createHandle();
        cublas.setStream(h, 0x5eed0L);
        var get = Linker.nativeLinker().downcallHandle(lookup.find("fake_stream").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS));
        assertEquals(0x5eed0L, ((MemorySegment) get.invokeExact()).address());
    }

    /** A row-major [batch, rows, cols] view over a flat array. */
    record View(int rows, int cols, int batchStride, int rowStride, int colStride, int offset) {
        double at(double[] data, int b, int r, int c) { return data[offset + b * batchStride + r * rowStride + c * colStride]; }
    }

    private void check(boolean f32, int batch, int m, int k, int n, View va, View vb, int sizeA, int sizeB) {
        Random rnd = new Random(m * 31 + n);
        double[] a = rnd.doubles(sizeA, -1, 1).toArray(), b = rnd.doubles(sizeB, -1, 1).toArray();
        var cublas = new CublasBinding("fake", lookup);
        MemorySegment h = cublas.createHandle();
        try (Arena local = Arena.ofConfined()) {
            ValueLayout layout = f32 ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_DOUBLE;
            int es = f32 ? 4 : 8;
            MemorySegment sa = local.allocate((long) es * sizeA), sb = local.allocate((long) es * sizeB);
            MemorySegment sc = local.allocate((long) es * batch * m * n);
            for (int i = 0; i < sizeA; i++) { if (f32) sa.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) a[i]); else sa.setAtIndex(ValueLayout.JAVA_DOUBLE, i, a[i]); }
            for (int i = 0; i < sizeB; i++) { if (f32) sb.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) b[i]); else sb.setAtIndex(ValueLayout.JAVA_DOUBLE, i, b[i]); }
            GemmOperand la = GemmOperand.of(m, k, va.rowStride(), va.colStride()), lb = GemmOperand.of(k, n, vb.rowStride(), vb.colStride());
            BlasCall call = BlasCall.of(batch, m, k, n, la, batch == 1 ? 0 : va.batchStride(), lb, batch == 1 ? 0 : vb.batchStride());
            cublas.gemm(f32, h, call, sb.address() + (long) vb.offset() * es, sa.address() + (long) va.offset() * es, sc.address());
            for (int p = 0; p < batch; p++)
                for (int i = 0; i < m; i++)
                    for (int j = 0; j < n; j++) {
                        double want = 0;
                        for (int q = 0; q < k; q++) want += (f32 ? (float) va.at(a, p, i, q) : va.at(a, p, i, q)) * (f32 ? (float) vb.at(b, p, q, j) : vb.at(b, p, q, j));
                        long idx = ((long) p * m + i) * n + j;
                        double got = f32 ? sc.getAtIndex(ValueLayout.JAVA_FLOAT, idx) : sc.getAtIndex(ValueLayout.JAVA_DOUBLE, idx);
                        assertEquals(want, got, f32 ? 1e-4 : 1e-12, "C[" + p + "][" + i + "][" + j + "] with " + call);
                    }
            assertEquals(layout.byteSize(), es);
        }
    }

    @Test
    void contiguousOperandsGiveTheRowMajorProduct() {
        int b = 2, m = 5, k = 4, n = 3;
        check(true, b, m, k, n, new View(m, k, m * k, k, 1, 0), new View(k, n, k * n, n, 1, 0), b * m * k, b * k * n);
        check(false, b, m, k, n, new View(m, k, m * k, k, 1, 0), new View(k, n, k * n, n, 1, 0), b * m * k, b * k * n);
    }

    @Test
    void transposedViewsBroadcastBatchesAndOffsetsArePassedThrough() {
        int b = 3, m = 6, k = 5, n = 4;
        // A is the transpose of a stored [b, k, m] (offset 2); B is one [k, n] matrix shared by every batch (stride 0),
        // taken as a column slice of a wider [k, n + 3] matrix.
        View at = new View(m, k, k * m, 1, m, 2), shared = new View(k, n, 0, n + 3, 1, 1);
        check(true, b, m, k, n, at, shared, 2 + b * k * m, k * (n + 3) + 1);
        check(false, b, m, k, n, at, shared, 2 + b * k * m, k * (n + 3) + 1);
        // B transposed too: stored as [b, n, k].
        check(false, b, m, k, n, new View(m, k, m * k, k, 1, 0), new View(k, n, n * k, 1, k, 0), b * m * k, b * n * k);
    }

    @Test
    void sixteenBitProductsGoThroughGemmExAccumulatingInFloat32() throws Throwable {
        var cublas = new CublasBinding("fake", lookup);
        assertTrue(cublas.hasGemmEx());
        MemorySegment h = cublas.createHandle();
        int b = 2, m = 5, k = 37, n = 3;
        // A is the transpose of a stored [b, k, m]; B is contiguous [b, k, n].
        View va = new View(m, k, k * m, 1, m, 0), vb = new View(k, n, k * n, n, 1, 0);
        for (DType t : new DType[]{DType.FLOAT16, DType.BFLOAT16}) {
            Random rnd = new Random(11);
            double[] a = new double[b * k * m], bb = new double[b * k * n];
            try (Arena local = Arena.ofConfined()) {
                MemorySegment sa = local.allocate(2L * a.length), sb = local.allocate(2L * bb.length), sc = local.allocate(2L * b * m * n);
                for (int i = 0; i < a.length; i++) {
                    short bits = HalfConversions.fromFloat(t, (float) rnd.nextGaussian());
                    sa.setAtIndex(ValueLayout.JAVA_SHORT, i, bits);
                    a[i] = HalfConversions.toFloat(t, bits);
                }
                for (int i = 0; i < bb.length; i++) {
                    short bits = HalfConversions.fromFloat(t, (float) rnd.nextGaussian());
                    sb.setAtIndex(ValueLayout.JAVA_SHORT, i, bits);
                    bb[i] = HalfConversions.toFloat(t, bits);
                }
                BlasCall call = BlasCall.of(b, m, k, n, GemmOperand.of(m, k, 1, m), k * m, GemmOperand.of(k, n, n, 1), k * n);
                cublas.gemmEx(t == DType.FLOAT16 ? CublasBinding.CUDA_R_16F : CublasBinding.CUDA_R_16BF, h, call,
                        sb.address(), sa.address(), sc.address());
                int[] codes = new int[5];
                try (Arena out = Arena.ofConfined()) {
                    MemorySegment box = out.allocate(20);
                    Linker.nativeLinker().downcallHandle(lookup.find("fake_last_ex").orElseThrow(),
                            FunctionDescriptor.ofVoid(ValueLayout.ADDRESS)).invokeExact(box);
                    for (int i = 0; i < 5; i++) codes[i] = box.getAtIndex(ValueLayout.JAVA_INT, i);
                }
                int type = t == DType.FLOAT16 ? 2 : 14;
                assertArrayEquals(new int[]{type, type, type, 68, -1}, codes, t + ": A, B, C types, CUBLAS_COMPUTE_32F, default algo");
                double ulp = t == DType.FLOAT16 ? 0x1p-10 : 0x1p-7;
                for (int p = 0; p < b; p++)
                    for (int i = 0; i < m; i++)
                        for (int j = 0; j < n; j++) {
                            double want = 0;
                            for (int q = 0; q < k; q++) want += va.at(a, p, i, q) * vb.at(bb, p, q, j);
                            float got = HalfConversions.toFloat(t, sc.getAtIndex(ValueLayout.JAVA_SHORT, ((long) p * m + i) * n + j));
                            assertEquals(want, got, ulp * Math.abs(want) + 1e-3, t + " C[" + p + "][" + i + "][" + j + "]");
                        }
            }
        }
    }

    @Test
    void aMachineWithoutCublasGetsTheListOfWhatWasTried() {
        try {
            CublasBinding lib = CublasBinding.find();
            assertTrue(lib.library().contains("libcublas"), lib.library()); // a cuBLAS is installed here
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("no cuBLAS to bind") && e.getMessage().contains("libcublas.so.13"), e.getMessage());
        }
    }
}
