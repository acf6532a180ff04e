package dev.ember.backend.cpu;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;

/**
 * Off-heap storage for a CPU tensor too large for one Java array (more than {@link #ARRAY_LIMIT} elements): a
 * zero-filled, 64-byte aligned native segment in an arena of its own. {@link #release} frees it at once; a storage
 * dropped without a release is freed by a {@link Cleaner} after the collection that finds it unreachable. Not counted
 * against {@code -XX:MaxDirectMemorySize} nor the Java heap; the CPU's memory statistics count it while it lives.
 *
 * <p>Kernels do not read it directly: {@link Indexing64} copies chunks of its views into heap scratch arrays, runs the
 * 32-bit kernel there and copies results back. Heap arrays stay the storage of every smaller tensor, where the
 * micro-kernels are fastest (see docs/bench.md, "Storage: heap arrays or off-heap segments").
 */
final class SegmentStorage extends Storage {
    /** The longest heap array the CPU backend allocates (HotSpot refuses arrays of the last few int values). */
    static final long ARRAY_LIMIT = Integer.MAX_VALUE - 8;

    private static final Cleaner CLEANER = Cleaner.create();

    final MemorySegment segment;
    private final Cleaner.Cleanable freeOnce;

    SegmentStorage(DType dtype, long length) {
        super(dtype, length);
        long bytes = Math.multiplyExact(length, (long) dtype.byteSize());
        long available = availableBytes();
        // Linux overcommits: a block larger than the memory left would be handed out and the process killed while
        // the allocation zero-fills it. Refuse it here instead.
        if (bytes > available)
            throw new OutOfMemoryError("cpu: a tensor of " + length + " " + dtype + " elements needs " + gib(bytes)
                    + " GiB off the Java heap; " + gib(available) + " GiB of memory is available");
        Arena arena = Arena.ofShared();
        try {
            segment = arena.allocate(bytes, 64);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw new OutOfMemoryError("cpu: cannot allocate " + length + " " + dtype + " elements (" + gib(bytes)
                    + " GiB) off the Java heap: " + e.getMessage());
        }
        CpuAllocator.INSTANCE.countOffHeap(bytes);
        freeOnce = CLEANER.register(this, () -> { // the action holds the arena, not this storage
            arena.close();
            CpuAllocator.INSTANCE.countOffHeap(-bytes);
        });
    }

    /** The memory the OS can still give (Linux: MemAvailable of /proc/meminfo); elsewhere unknown, so unbounded. */
    private static long availableBytes() {
        try (var lines = java.nio.file.Files.lines(java.nio.file.Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemAvailable:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024).orElse(Long.MAX_VALUE);
        } catch (java.io.IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String gib(long bytes) { return String.format(java.util.Locale.ROOT, "%.2f", bytes / (double) (1L << 30)); }

    @Override
    public Backend backend() { return CpuBackend.INSTANCE; }

    @Override
    protected void free() { freeOnce.clean(); }
}
