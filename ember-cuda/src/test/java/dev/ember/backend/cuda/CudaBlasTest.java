package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.backend.gpu.GemmOperand;
import org.junit.jupiter.api.Test;

/** The GEMM path decision and the operand layouts handed to a column-major BLAS. */
class CudaBlasTest {

    private static CudaBlas.Choice choose(String forced, String jcublasError, String ffmLib, String ffmError) {
        return CudaBlas.choose(new CudaBlas.Probes(forced, jcublasError, ffmLib, ffmError));
    }

    @Test
    void jcublasWinsWhereCublas12Loads() {
        var c = choose(null, null, null, "not tried");
        assertEquals(CudaBlas.Path.JCUBLAS, c.path());
        assertTrue(c.logLine().contains("libcublas.so.12 loaded"), c.logLine());
    }

    @Test
    void cuda13MachineBindsTheInstalledCublasThroughFfm() {
        var c = choose("", "libcublas.so.12 not found", "libcublas.so.13", null);
        assertEquals(CudaBlas.Path.CUBLAS_FFM, c.path());
        assertTrue(c.reason().contains("libcublas.so.12 not found") && c.reason().contains("libcublas.so.13"), c.reason());
    }

    @Test
    void noCublasAtAllFallsBackToTheOwnKernelAndSaysWhy() {
        var c = choose(null, "libcublas.so.12 not found", null, "no cuBLAS to bind: ...");
        assertEquals(CudaBlas.Path.KERNEL, c.path());
        assertTrue(c.reason().contains("libcublas.so.12 not found") && c.reason().contains("no cuBLAS to bind"), c.reason());
    }

    @Test
    void forcedChoicesAreHonouredOrExplained() {
        assertEquals(CudaBlas.Path.KERNEL, choose("kernel", null, null, null).path());
        assertEquals(CudaBlas.Path.CUBLAS_FFM, choose("FFM", "not tried", "libcublas.so.13", null).path());
        var failed = choose("ffm", "not tried", null, "no cuBLAS to bind");
        assertEquals(CudaBlas.Path.KERNEL, failed.path());
        assertTrue(failed.reason().startsWith("EMBER_CUDA_GEMM=ffm but"), failed.reason());
        assertEquals(CudaBlas.Path.KERNEL, choose("jcublas", "libcublas.so.12 not found", null, null).path());
        var bad = assertThrows(IllegalArgumentException.class, () -> choose("mkl", null, null, null));
        assertTrue(bad.getMessage().contains("mkl"));
    }

    @Test
    void failedJcublasLoadIsNamedByItsMissingLibrary() {
        var e = new UnsatisfiedLinkError("Error while loading native library \"JCublas2-12.0.0-linux-x86_64\"\n"
                + "/tmp/libJCublas2.so: libcublas.so.12: cannot open shared object file: No such file or directory");
        assertEquals("libcublas.so.12 not found", CudaBlas.describe(e));
    }

    @Test
    void rowMajorOperandIsUntransposedWithItsRowStride() {
        assertEquals(new GemmOperand(false, 5), GemmOperand.of(3, 5, 5, 1));
        assertEquals(new GemmOperand(false, 8), GemmOperand.of(3, 5, 8, 1)); // a column slice of a wider matrix
    }

    @Test
    void transposedViewIsPassedAsBlasTranspose() {
        // x.transpose(1, 2) of a contiguous [b, 5, 3]: shape [3, 5], strides (1, 3).
        assertEquals(new GemmOperand(true, 3), GemmOperand.of(3, 5, 1, 3));
    }

    @Test
    void vectorsAcceptAnyUnusedStride() {
        assertEquals(new GemmOperand(false, 7), GemmOperand.of(1, 7, 0, 1));
        assertEquals(new GemmOperand(false, 1), GemmOperand.of(4, 1, 1, 9));
    }

    @Test
    void stridesFittingNeitherLayoutNeedACopy() {
        assertNull(GemmOperand.of(3, 5, 10, 2));   // every other column
        assertNull(GemmOperand.of(3, 5, 0, 1));    // rows broadcast: leading dimension 0 is invalid
        assertNull(GemmOperand.of(3, 5, 1, 2));    // transposed but overlapping (ld 2 < 3 rows)
        assertNull(GemmOperand.of(3, 5, 1L << 31, 1)); // rows of a view past 2^31: BLAS's int leading dimension cannot hold it
    }
}
