package dev.ember.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * GPU memory under a device memory limit, run in a child JVM started with
 * {@code -Dember.opencl.memoryLimit=64m} (or {@code ember.cuda.memoryLimit}) and
 * {@code -Dember.test.device=opencl} (or {@code cuda}); see {@code OpenClMemoryLimitTest} and
 * {@code EmulatedCudaTest}. Not a surefire test class: the limit must be set before the backend starts.
 * Tensors are made on the device directly, so the Java heap stays small and no collection happens
 * by itself: only the allocator's reclaiming can free the dropped ones.
 */
public final class DeviceMemoryPrograms {
    private static final int FLOATS_4MB = 1 << 20;

    private static Device device() {
        Device d = Device.parse(System.getProperty("ember.test.device", "opencl"));
        long limit = Long.getLong("ember.test.memoryLimitBytes", -1);
        assertTrue(limit > 0, "set -Dember.test.memoryLimitBytes to the limit the backend was given");
        return d;
    }

    /** Far more 4 MB tensors than the limit holds, none closed: the loop completes. */
    @Test
    void tensorsDroppedWithoutClosePastTheLimitAreReclaimed() {
        Device d = device();
        long limit = Long.getLong("ember.test.memoryLimitBytes");
        Tensor like = Tensor.zeros(FLOATS_4MB).to(d);
        int n = (int) (4 * limit / (4L * FLOATS_4MB)); // four times the limit
        double sum = 0;
        for (int i = 0; i < n; i++) {
            Tensor t = Tensor.fullLike(like, 1.0); // never closed
            if (i % 16 == 0) sum += t.sum().item();
        }
        assertEquals((double) FLOATS_4MB * ((n + 15) / 16), sum);
        assertTrue(Ember.memoryStats(d).reserved() <= limit, Ember.memoryStats(d).toString());
    }

    /**
     * The same loop with each iteration in a {@link dev.ember.TensorScope}, 2,000 times ({@code -Dember.test.scopedIterations}):
     * every tensor goes back to the cache as its scope closes, so the device never holds more than a few 4 MB blocks, and
     * no collection is needed.
     */
    @Test
    void tensorsDroppedInScopesReuseAFewBlocks() {
        Device d = device();
        Tensor like = Tensor.zeros(FLOATS_4MB).to(d);
        Ember.resetPeakMemoryStats(d);
        long before = Ember.memoryStats(d).allocated();
        int n = Integer.getInteger("ember.test.scopedIterations", 2000);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            try (var scope = Ember.scope()) {
                Tensor t = Tensor.fullLike(like, 1.0).mul(2.0); // two 4 MB tensors, never closed by hand
                if (i % 100 == 0) sum += t.sum().item();
            }
        }
        assertEquals(2.0 * FLOATS_4MB * ((n + 99) / 100), sum);
        var stats = Ember.memoryStats(d);
        assertEquals(before, stats.allocated(), "every tensor of the loop was released");
        assertTrue(stats.peak() - before <= 3 * 4L * FLOATS_4MB, "at most three 4 MB tensors at once: " + stats);
    }

    /** Tensors kept alive: the allocation that passes the limit throws with the statistics, and nothing crashes. */
    @Test
    void tensorsKeptAlivePastTheLimitFailWithTheStatistics() {
        Device d = device();
        long limit = Long.getLong("ember.test.memoryLimitBytes");
        Tensor like = Tensor.zeros(FLOATS_4MB).to(d);
        List<Tensor> live = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 2 * limit / (4L * FLOATS_4MB); i++) live.add(Tensor.fullLike(like, 2.0));
        });
        String m = e.getMessage();
        assertTrue(m.contains(": out of device memory: requested 4.0 MiB (size class 4.0 MiB); allocated "), m);
        assertTrue(m.contains(", reserved ") && m.contains(", peak ") && m.contains(", limit " + limit / 1048576 + ".0 MiB"), m);
        assertTrue(live.size() >= limit / (4L * FLOATS_4MB) - 3, live.size() + " tensors fit");
        // still usable: closing makes room again, and what is alive reads back
        for (Tensor t : live.subList(1, live.size())) t.close();
        assertEquals(2.0 * FLOATS_4MB, live.get(0).sum().item());
        Tensor again = Tensor.fullLike(like, 3.0);
        assertEquals(3.0 * FLOATS_4MB, again.sum().item());
    }
}
