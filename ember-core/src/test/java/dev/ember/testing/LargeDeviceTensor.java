package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A BOOL tensor of 2^31 + 64 elements (2 GiB) on a GPU backend's device, so that the generated kernels' 64-bit index
 * variants run for real: views past element 2^31 are filled and read back, the whole tensor summed, and an index past
 * its end reported with its 64-bit size through the kernel error slot. Shared by the OpenCL and CUDA backends' tests,
 * which decide whether their device can hold it.
 */
public final class LargeDeviceTensor {
    /** Elements of the tensor: past 2^31, a multiple of the rows' 64. */
    public static final long N = (1L << 31) + 64;
    private static final long ROWS = N / 64;

    private LargeDeviceTensor() {}

    /** Runs the checks on {@code device}, then empties its cache (the 2 GiB go back to the driver). */
    public static void check(Device device) {
        Device before = Ember.defaultDevice();
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
            var e = assertThrows(IndexOutOfBoundsException.class, picked::toBooleanArray);
            assertTrue(e.getMessage().startsWith("gather: index " + N + " is out of bounds for dimension 0 with size " + N),
                    e.getMessage());
        } finally {
            Ember.emptyCache(device);
        }
    }

    /** MemAvailable from /proc/meminfo; 0 where there is none (callers then skip). */
    public static long hostAvailableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo")))
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        } catch (IOException | NumberFormatException unknown) {
            // 0 below
        }
        return 0;
    }
}
