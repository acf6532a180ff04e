package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static dev.ember.testing.LargeDeviceTensor.N;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_MEM_ALLOC_SIZE;

import dev.ember.backend.gpu.GpuBackend;
import dev.ember.testing.LargeDeviceTensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link LargeDeviceTensor}'s 2 GiB BOOL tensor past 2^31 elements on the OpenCL device (PoCL's memory is the host's).
 * Tagged {@code large}: this module's default run leaves it out (see its pom); skipped where the device or host cannot
 * hold it.
 */
@Tag("large")
class OpenClLargeTensorTest {
    @Test
    void viewsPastTwoToTheThirtyOneAreFilledSummedAndReadBack() {
        GpuBackend<?, ?> backend = (GpuBackend<?, ?>) openCl();
        long maxAlloc = OpenClRuntime.deviceLong(((OpenClRuntime) backend.runtime()).device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        long global = backend.totalMemory();
        Assumptions.assumeTrue(maxAlloc >= N && global >= N, () -> backend.name() + " holds no buffer of " + N
                + " bytes: CL_DEVICE_MAX_MEM_ALLOC_SIZE " + maxAlloc + ", global memory " + global);
        if (!backend.isGpu()) { // a CPU device's buffers are host memory
            long available = LargeDeviceTensor.hostAvailableBytes();
            Assumptions.assumeTrue(available >= N + (1L << 30), () -> "the host has " + available + " bytes available (MemAvailable), below "
                    + N + " and 1 GiB to spare");
        }
        LargeDeviceTensor.check(backend.device());
    }
}
