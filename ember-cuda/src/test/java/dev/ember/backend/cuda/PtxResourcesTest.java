package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.backend.gpu.DeviceInfo;
import dev.ember.backend.gpu.Dialect;
import dev.ember.backend.gpu.IndexWidth;
import dev.ember.backend.gpu.KernelSource;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The packaged PTX (built by native/build-ptx.sh where nvcc exists) is the fallback for exactly the sources a
 * CUDA device renders: the build renders with the options every CUDA device uses, and a PTX is found only under
 * the SHA-256 of its source.
 */
class PtxResourcesTest {
    /** What GpuBackend renders with on any CUDA device (1024 threads per block, double precision). */
    private static final KernelSource.Options CUDA_DEVICE;

    static {
        DeviceInfo any = new DeviceInfo("any CUDA GPU", true, 1L << 34, true, 132, 1024);
        CUDA_DEVICE = new KernelSource.Options(Dialect.CUDA, any.fp64(), IndexWidth.I32, any.blockThreads(), any.gemmTile());
    }

    @Test
    void theBuildRendersWhatADeviceRenders() {
        // native/build-ptx.sh runs `KernelSource cuda DIR`, whose options are these
        assertEquals(new KernelSource.Options(Dialect.CUDA, true, IndexWidth.I32, 256, 16), CUDA_DEVICE);
    }

    @Test
    void aPackagedPtxServesOnlyTheSourceItWasBuiltFrom() {
        assumeTrue(PtxResources.available(), "this build carries no packaged PTX (no nvcc where it was built)");
        for (KernelSource.Family f : KernelSource.Family.values()) {
            String name = f.name().toLowerCase(java.util.Locale.ROOT), src = KernelSource.render(f, CUDA_DEVICE);
            for (String arch : PtxResources.ARCHES) {
                byte[] ptx = PtxResources.load(name, arch, CudaRuntime.sha256(src)).orElseThrow(
                        () -> new AssertionError("no packaged " + name + " PTX for " + arch + " built from this source"));
                assertEquals(0, ptx[ptx.length - 1], "NUL-terminated for cuModuleLoadData");
                String text = new String(ptx, 0, ptx.length - 1, StandardCharsets.US_ASCII);
                for (String k : KernelSource.kernelNames(src, Dialect.CUDA))
                    assertTrue(text.contains(".entry " + k + "("), name + " PTX has " + k);
            }
            assertTrue(PtxResources.load(name, "compute_90", CudaRuntime.sha256(src + " ")).isEmpty(), "another source finds nothing");
        }
    }

    @Test
    void theArchitectureFollowsComputeCapability() {
        assertEquals("compute_90", PtxResources.archFor(9, 0));
        assertEquals("compute_90", PtxResources.archFor(12, 0));
        assertEquals("compute_75", PtxResources.archFor(8, 9));
        assertEquals("compute_75", PtxResources.archFor(7, 5));
        assertNull(PtxResources.archFor(7, 0));
    }
}
