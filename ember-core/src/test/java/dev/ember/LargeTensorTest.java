package dev.ember;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ember.testing.LargeDeviceTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A CPU tensor of more than 2^31 elements: a BOOL tensor of 2^31 + 64 (2 GiB, off the Java heap), written through
 * views whose offsets pass 2^31 and read back by reductions and by copies of small slices, each checked against
 * what was written. Tagged {@code large} (about 2 GiB of memory, some seconds); skipped where the memory is not there.
 */
@Tag("large")
class LargeTensorTest {
    private static final long N = (1L << 31) + 64;

    @Test
    void boolTensorPastTwoToTheThirtyOne() throws Exception {
        assumeTrue(availableBytes() > (5L << 30), "needs 5 GiB of available memory (two 2 GiB tensors)");
        try (Tensor t = Tensor.zeros(DType.BOOL, N)) {
            assertEquals(N, t.numel());
            assertArrayEquals(new long[]{N}, t.shape());
            long far = (1L << 31) + 5;
            t.narrow(0, far, 3).fillInPlace(1); // offsets past 2^31
            t.narrow(0, 7, 1).fillInPlace(1);
            t.narrow(0, N - 1, 1).fillInPlace(1);
            assertEquals(5, t.sum().itemLong(), "a reduction over all 2^31 + 64 elements");
            assertArrayEquals(new boolean[]{false, true, true, true, false}, t.narrow(0, far - 1, 5).toBooleanArray());
            assertEquals(7, t.argmax().itemLong(), "the first true");
            // A 2-D view: each row has 2^30 + 32 elements; row 1 holds the elements past 2^31 (and the last)
            Tensor rows = t.view(2, N / 2);
            assertArrayEquals(new long[]{1, 4}, rows.sum(1).toLongArray());
            assertEquals(far - N / 2, rows.select(0, 1).argmax().itemLong());
            // An elementwise op whose output is past 2^31 too: each element flipped, counted back
            try (Tensor flipped = t.logicalNot()) {
                assertEquals(N - 5, flipped.sum().itemLong());
                assertArrayEquals(new boolean[]{true, false, false, false, true}, flipped.narrow(0, far - 1, 5).toBooleanArray());
            }
        }
    }

    /** MemAvailable, or the JVM's maximum heap where there is no /proc/meminfo. */
    private static long availableBytes() {
        return Files.exists(Path.of("/proc/meminfo")) ? LargeDeviceTensor.hostAvailableBytes() : Runtime.getRuntime().maxMemory();
    }
}
