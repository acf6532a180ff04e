package dev.ember.backend.cuda;

import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/** The CUDA tests' device, or a skip with discovery's reason (as {@code ClTestSupport} for OpenCL). */
final class CudaTestSupport {
    private CudaTestSupport() {}

    /** The first CUDA backend; skips the test, with the reason, when CUDA is unavailable. */
    static Backend cuda() {
        Backends.Family f = Backends.family(Device.CUDA_TYPE);
        Assumptions.assumeTrue(f.available(), () -> "CUDA unavailable: " + f.reason());
        return f.devices().get(0);
    }
}
