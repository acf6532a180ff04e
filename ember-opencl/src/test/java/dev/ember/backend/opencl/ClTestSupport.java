package dev.ember.backend.opencl;

import dev.ember.Device;
import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/**
 * The OpenCL tests' device, or a skip with discovery's reason. Operands, read-back and tolerant comparison come from
 * ember-core's test jar ({@link dev.ember.testing.StridedOperands}).
 */
final class ClTestSupport {
    private ClTestSupport() {}

    /** The default OpenCL backend; skips the test, with the reason, when there is none. */
    static Backend openCl() {
        Backends.Family f = Backends.family(Device.OPENCL_TYPE);
        Assumptions.assumeTrue(f.available(), () -> "no OpenCL device: " + f.reason());
        return Backends.of(Device.opencl());
    }
}
