package dev.ember.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.ember.Device;
import dev.ember.backend.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import jcuda.CudaException;
import org.junit.jupiter.api.Test;

/** Starting CUDA never crashes, and a missing driver, device or PTX support becomes one clear line. */
class CudaProbeTest {

    private static boolean driverInstalled() {
        for (String dir : new String[]{"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu"})
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) return true;
        return false;
    }

    @Test
    void discoveryRecordsAOneLineReasonWhenCudaIsAbsent() {
        Backends.Family f = Backends.family(Device.CUDA_TYPE);
        assumeFalse(f.available(), "a CUDA device is present; the absent-driver path is not exercised here");
        assertFalse(f.reason().isBlank(), "an unavailable family must say why");
        assertFalse(f.reason().contains("\n"), "the reason must be one line: " + f.reason());
        if (!driverInstalled()) assertEquals("no NVIDIA driver (libcuda.so.1 not found)", f.reason());
        // Asking again returns the remembered answer (the probe runs once; a second cuInit would see NoClassDefFoundError).
        assertEquals(f.reason(), Backends.family(Device.CUDA_TYPE).reason());
    }

    @Test
    void aSecondProviderReportsTheSameReasonWithoutReprobing() {
        assumeFalse(Backends.family(Device.CUDA_TYPE).available(), "a CUDA device is present");
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> new CudaProvider().start());
        assertEquals(Backends.family(Device.CUDA_TYPE).reason(), e.getMessage());
        assertEquals(null, e.getCause(), "the reason carries no cause, so Backends keeps it to one line");
    }

    @Test
    void missingDriverLibrary() {
        var t = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file");
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", CudaProbe.explain(t));
    }

    /** The regression: a libcuda.so.1 that exists but cannot load was reported as "not found". */
    @Test
    void presentButBrokenDriverLibrarySaysWhatTheLoaderSaid() {
        var t = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.0.0-linux-x86_64 in java.library.path: /opt/nv:/usr/lib\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/ember-natives-1/libJCudaDriver-12.0.0-linux-x86_64.so: "
                + "/opt/nv/libcuda.so.1: invalid ELF header\n---(end of nested stack traces)---");
        assertEquals("the NVIDIA driver library could not be loaded: /opt/nv/libcuda.so.1: invalid ELF header", CudaProbe.explain(t));
        var missing = new UnsatisfiedLinkError("java.lang.UnsatisfiedLinkError: /tmp/x/libJCudaDriver-12.0.0-linux-x86_64.so: "
                + "libcuda.so.1: cannot open shared object file: No such file or directory");
        assertEquals("no NVIDIA driver (libcuda.so.1 not found)", CudaProbe.explain(missing));
        var denied = new UnsatisfiedLinkError("/tmp/x/libJCudaDriver.so: /opt/nv/libcuda.so.1: cannot open shared object file: "
                + "Permission denied");
        assertEquals("the NVIDIA driver library could not be loaded: /opt/nv/libcuda.so.1: cannot open shared object file: "
                + "Permission denied", CudaProbe.explain(denied));
    }

    @Test
    void otherNativeLoadFailuresQuoteTheLoader() {
        var t = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/x/libJCudaDriver-12.0.0-linux-x86_64.so: libstdc++.so.6: cannot open shared object file");
        assertEquals("CUDA native library failed to load: /tmp/x/libJCudaDriver-12.0.0-linux-x86_64.so: libstdc++.so.6: "
                + "cannot open shared object file", CudaProbe.explain(t));
    }

    @Test
    void classInitialisationFailedEarlier() {
        String why = CudaProbe.explain(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver"));
        assertTrue(why.startsWith("JCuda failed to initialise earlier"), why);
        assertTrue(why.contains("jcuda.driver.JCudaDriver"), why);
    }

    @Test
    void driverErrorsByCode() {
        assertEquals("no CUDA device (the driver reports none)", CudaProbe.explain(new CudaException("CUDA_ERROR_NO_DEVICE")));
        assertTrue(CudaProbe.explain(new CudaException("CUDA_ERROR_UNSUPPORTED_PTX_VERSION")).contains("driver 580"));
        assertTrue(CudaProbe.explain(new CudaException("CUDA_ERROR_INSUFFICIENT_DRIVER")).contains("older"));
        assertTrue(CudaProbe.explain(new CudaException("CUDA_ERROR_INVALID_PTX")).contains("cannot compile"));
    }

    @Test
    void anythingElseKeepsItsTypeAndFirstLine() {
        assertEquals("IllegalStateException: boom", CudaProbe.explain(new IllegalStateException("boom\nsecond line")));
        assertEquals("OutOfMemoryError", CudaProbe.explain(new OutOfMemoryError()));
    }
}
