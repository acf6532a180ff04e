package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;

import dev.ember.Device;
import dev.ember.testing.KernelErrorRouting;
import org.junit.jupiter.api.Test;

/** Kernel errors on PoCL reach the thread whose kernel failed, not the next thread that reads. */
class OpenClKernelErrorThreadsTest {

    @Test
    void anOutOfRangeGatherFailsItsOwnThreadOnly() throws Exception {
        openCl();
        KernelErrorRouting.gatherErrorGoesToItsOwnThread(Device.opencl());
    }

    @Test
    void anIntegerDivisionByZeroFailsItsOwnThreadOnly() throws Exception {
        openCl();
        KernelErrorRouting.divisionErrorGoesToItsOwnThread(Device.opencl());
    }
}
