package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * stand-in library with cuBLAS's C signatures (a plain column-major GEMM on host memory, compiled
 * here with the system C compiler) receives the calls Ember makes for real cuBLAS.
 */
class CublasBindingTest {
    private static final String FAKE_CUBLAS = """
            #include <stddef.h>
            static void* the_stream;
            static int the_handle;
            int cublasCreate_v2(void** h) { *h = &the_handle; return 0; }
            int cublasSetStream_v2(void* h, void* s) { if (h != &the_handle) return 7; the_stream = s; return 0; }
            void* fake_stream(void) { return the_stream; }
            #define GEMM(name, T) \\
            int name(void* h, int ta, int tb, int m, int n, int k, const T* alpha, const T* A, int lda, long long sA, \\
                     const T* B, int ldb, long long sB, const T* beta, T* C, int ldc, long long sC, int batch) { \\
                if (h != &the_handle) return 7; \\
                for (int p = 0; p < batch; p++) for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) { \\
                    T acc = 0; \\
                    for (int q = 0; q < k; q++) { \\
                        T a = ta ? A[p * sA + q + (long long) i * lda] : A[p * sA + i + (long long) q * lda]; \\
                        T b = tb ? B[p * sB + j + (long long) q * ldb] : B[p * sB + q + (long long) j * ldb]; \\
                        acc += a * b; \\
                    } \\
                    T* c = &C[p * sC + i + (long long) j * ldc]; \\
                    *c = *alpha * acc + (*beta == 0 ? 0 : *beta * *c); \\
                } \\
                return 0; }
            GEMM(cublasSgemmStridedBatched, float)
            GEMM(cublasDgemmStridedBatched, double)
            """;

    private static Path dir;
    private static Arena arena;
    private static SymbolLookup lookup;

    @BeforeAll
    static void compileStandIn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/cc")), "no C compiler to build the stand-in cuBLAS");
        dir = Files.createTempDirectory("fake-cublas");
        Path src = dir.resolve("fake_cublas.c"), lib = dir.resolve("libfakecublas.so");
        Files.writeString(src, FAKE_CUBLAS);
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
    void aMachineWithoutCublasGetsTheListOfWhatWasTried() {
        try {
            CublasBinding lib = CublasBinding.find();
            assertTrue(lib.library().contains("libcublas"), lib.library()); // a cuBLAS is installed here
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().startsWith("no cuBLAS to bind") && e.getMessage().contains("libcublas.so.13"), e.getMessage());
        }
    }
}
