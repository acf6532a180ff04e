package dev.ember.backend.cuda;

import dev.ember.Device;
import dev.ember.testing.KernelErrorRouting;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Kernel errors on CUDA reach the thread whose kernel failed. Runs on a GPU, and without one inside
 * {@link EmulatedCudaTest}'s child JVM; skipped with the probe's reason elsewhere.
 */
@Tag("cuda")
class CudaKernelErrorThreadsTest {

    @BeforeEach
    void device() {
        CudaTestSupport.cuda();
    }

    @Test
    void anOutOfRangeGatherFailsItsOwnThreadOnly() throws Exception {
        KernelErrorRouting.gatherErrorGoesToItsOwnThread(Device.cuda());
    }

    @Test
    void anIntegerDivisionByZeroFailsItsOwnThreadOnly() throws Exception {
        KernelErrorRouting.divisionErrorGoesToItsOwnThread(Device.cuda());
    }
}
