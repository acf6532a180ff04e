package dev.ember.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator on a simulated device of fixed capacity: it reuses freed blocks, frees its
 * cache and reclaims the blocks of unreachable owners before it gives up, and its out-of-memory error
 * carries the statistics.
 */
class CachingAllocatorTest {

    /** A device with {@code capacity} bytes; blocks are numbered, and it counts what it holds. */
    private static final class FakeDevice implements CachingAllocator.Device<Long> {
        final long capacity;
        final java.util.Map<Long, Long> blocks = new java.util.HashMap<>();
        long used, mallocs, frees;

        FakeDevice(long capacity) { this.capacity = capacity; }

        @Override
        public synchronized Long malloc(long bytes) {
            if (used + bytes > capacity) throw new IllegalStateException("FAKE_OUT_OF_MEMORY");
            used += bytes;
            blocks.put(++mallocs, bytes);
            return mallocs;
        }

        @Override
        public synchronized void free(Long block) {
            used -= blocks.remove(block);
            frees++;
        }
    }

    /** What a GPU storage is to the allocator: an owner whose block the safety net returns. */
    private static final class Owner {
        final Cleaner.Cleanable cleanable;

        Owner(CachingAllocator<Long> allocator, long bytes) {
            cleanable = allocator.track(this, allocator.allocate(bytes), bytes);
        }
    }

    private static final long MB4 = 4L << 20;

    @Test
    void reusesFreedBlocksOfTheSameSizeClass() {
        FakeDevice dev = new FakeDevice(64L << 20);
        var a = new CachingAllocator<>("fake", dev);
        Long first = a.allocate(MB4);
        a.release(first, MB4);
        assertEquals(first, a.allocate(MB4 - 100)); // same 4 MiB class
        assertEquals(1, dev.mallocs);
        assertEquals(new MemoryStats(MB4, MB4, MB4), a.stats());
    }

    @Test
    void emptiesItsCacheBeforeFailing() {
        FakeDevice dev = new FakeDevice(8L << 20);
        var a = new CachingAllocator<>("fake", dev);
        Long four = a.allocate(MB4), two = a.allocate(2L << 20);
        a.release(four, MB4);
        a.release(two, 2L << 20);
        // 4 + 2 MiB cached on an 8 MiB device: a 6 MiB request fits only once the cache is freed
        assertEquals(3L, a.allocate(6L << 20));
        assertEquals(2, dev.frees);
        assertEquals(new MemoryStats(6L << 20, 6L << 20, 6L << 20), a.stats());
    }

    /** The regression: owners dropped without close() are reclaimed, so a loop far past the capacity completes. */
    @Test
    void reclaimsBlocksOfUnreachableOwnersBeforeFailing() {
        FakeDevice dev = new FakeDevice(64L << 20);
        var a = new CachingAllocator<>("fake", dev);
        for (int i = 0; i < 200; i++) new Owner(a, MB4); // 800 MB through a 64 MB device, none closed
        assertTrue(a.stats().reserved() <= 64L << 20);
        assertTrue(dev.mallocs >= 16, "the device was filled before reclaiming");
    }

    @Test
    void outOfMemoryWithLiveOwnersReportsTheStatistics() {
        FakeDevice dev = new FakeDevice(1L << 40);
        var a = new CachingAllocator<>("fake:0", dev, 32L << 20);
        List<Owner> live = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (int i = 0; i < 100; i++) live.add(new Owner(a, MB4));
        });
        assertEquals(8, live.size());
        assertTrue(e.getMessage().startsWith("fake:0: out of device memory: requested 4.0 MiB (size class 4.0 MiB); "
                + "allocated 32.0 MiB, reserved 32.0 MiB, peak 32.0 MiB, limit 32.0 MiB"), e.getMessage());
        live.clear();
    }

    @Test
    void limitsParseFromProperties() {
        String p = "ember.test.memoryLimit";
        try {
            assertEquals(Long.MAX_VALUE, CachingAllocator.limitFromProperty(p));
            System.setProperty(p, "64m");
            assertEquals(64L << 20, CachingAllocator.limitFromProperty(p));
            System.setProperty(p, "2G");
            assertEquals(2L << 30, CachingAllocator.limitFromProperty(p));
            System.setProperty(p, "512KiB");
            assertEquals(512L << 10, CachingAllocator.limitFromProperty(p));
            System.setProperty(p, "1048576");
            assertEquals(1L << 20, CachingAllocator.limitFromProperty(p));
            System.setProperty(p, "lots");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CachingAllocator.limitFromProperty(p));
            assertTrue(e.getMessage().startsWith("-Dember.test.memoryLimit=lots: expected a positive size"), e.getMessage());
            System.setProperty(p, "-5m");
            assertThrows(IllegalArgumentException.class, () -> CachingAllocator.limitFromProperty(p));
            // A device memory limit of 0 is an error; a CPU cache limit of 0 means "cache nothing".
            System.setProperty(p, "0");
            assertThrows(IllegalArgumentException.class, () -> CachingAllocator.limitFromProperty(p));
            assertEquals(0, CachingAllocator.limitFromProperty(p, true));
            System.setProperty(p, "-1");
            assertThrows(IllegalArgumentException.class, () -> CachingAllocator.limitFromProperty(p, true));
        } finally {
            System.clearProperty(p);
        }
    }
}
