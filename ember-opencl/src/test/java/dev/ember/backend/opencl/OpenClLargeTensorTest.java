package dev.ember.backend.opencl;

import static dev.ember.backend.opencl.ClTestSupport.openCl;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.lwjgl.opencl.CL10.CL_DEVICE_MAX_MEM_ALLOC_SIZE;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.backend.gpu.GpuBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A BOOL tensor of 2^31 + 64 elements on the OpenCL device (2 GiB; PoCL's memory is the host's): views past element
 * 2^31 are filled and read back, the whole tensor summed, and an index past its end reported with its 64-bit size
 * (the kernel error slot), so the 64-bit index kernels run for real. Tagged {@code large}: this module's default run
 * leaves it out (see its pom); skipped where the device or host cannot hold it.
 */
@Tag("large")
class OpenClLargeTensorTest {
    private static final long N = (1L << 31) + 64, ROWS = N / 64;

    @Test
    void viewsPastTwoToTheThirtyOneAreFilledSummedAndReadBack() {
        GpuBackend<?, ?> backend = (GpuBackend<?, ?>) openCl();
        long maxAlloc = OpenClRuntime.deviceLong(((OpenClRuntime) backend.runtime()).device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        long global = backend.totalMemory();
        Assumptions.assumeTrue(maxAlloc >= N && global >= N, () -> backend.name() + " holds no buffer of " + N
                + " bytes: CL_DEVICE_MAX_MEM_ALLOC_SIZE " + maxAlloc + ", global memory " + global);
        if (!backend.isGpu()) { // a CPU device's buffers are host memory
            long available = hostAvailableBytes();
            Assumptions.assumeTrue(available >= N + (1L << 30), () -> "the host has " + available + " bytes available (MemAvailable), below "
                    + N + " and 1 GiB to spare");
        }
        Device device = backend.device(), before = Ember.defaultDevice();
        Tensor zeros;
        Ember.setDefaultDevice(device); // created there, not copied from a 2 GiB host tensor
        try {
            zeros = Tensor.zeros(DType.BOOL, N);
        } finally {
            Ember.setDefaultDevice(before);
        }
        try (Tensor t = zeros) {
            // 16 elements past 2^31 (a contiguous view), and columns 60 and 61 of every row of 64 (a strided view
            // that spans both sides of 2^31); they do not overlap.
            t.narrow(0, (1L << 31) + 8, 16).fillInPlace(1);
            t.view(ROWS, 64).narrow(1, 60, 2).fillInPlace(1);

            assertEquals(16 + 2 * ROWS, t.sum().itemLong(), "the sum over all 2^31 + 64 elements counts exactly those set");
            boolean[] lastRow = new boolean[64];
            for (int i = 8; i < 24; i++) lastRow[i] = true;
            lastRow[60] = lastRow[61] = true;
            assertArrayEquals(lastRow, t.narrow(0, 1L << 31, 64).toBooleanArray(), "the 64 elements from 2^31, read directly");
            assertArrayEquals(new boolean[]{true, true, true, true},
                    t.view(ROWS, 64).narrow(0, ROWS - 2, 2).narrow(1, 60, 2).toBooleanArray(),
                    "a strided view across 2^31, copied on the device first");
            // An index past the end: the kernel's error slot carries the dimension's size in 64 bits.
            Tensor picked = t.gather(0, Tensor.of(new long[]{N - 1, N}).to(device));
            var e = org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, picked::toBooleanArray);
            org.junit.jupiter.api.Assertions.assertTrue(
                    e.getMessage().startsWith("gather: index " + N + " is out of bounds for dimension 0 with size " + N), e.getMessage());
        } finally {
            Ember.emptyCache(device); // hand the 2 GiB back to the driver (the host, on PoCL)
        }
    }

    /** MemAvailable from /proc/meminfo; 0 where there is none (the test is then skipped). */
    private static long hostAvailableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        } catch (IOException | NumberFormatException unknown) {
            // 0 below
        }
        return 0;
    }
}
