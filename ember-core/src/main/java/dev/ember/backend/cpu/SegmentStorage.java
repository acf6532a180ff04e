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
 * against {@code -XX:MaxDirectMemorySize} nor the Java heap.
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
        Arena arena = Arena.ofShared();
        try {
            segment = arena.allocate(Math.multiplyExact(length, (long) dtype.byteSize()), 64);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            arena.close();
            throw new OutOfMemoryError("cpu: cannot allocate " + length + " elements of " + dtype + " ("
                    + length * dtype.byteSize() + " bytes) off the heap: " + e.getMessage());
        }
        freeOnce = CLEANER.register(this, arena::close); // the action holds the arena, not this storage
    }

    @Override
    public Backend backend() { return CpuBackend.INSTANCE; }

    @Override
    protected void free() { freeOnce.clean(); }
}
