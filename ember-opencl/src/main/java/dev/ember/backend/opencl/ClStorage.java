package dev.ember.backend.opencl;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.CachingAllocator;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;

/**
 * A {@code cl_mem} buffer from the device's caching allocator. {@link #close()} returns it to
 * the cache at once; a {@link Cleaner} does the same when an unclosed storage is collected.
 * Reuse is safe without waiting: the queue is in-order, so later users of the block run after
 * every kernel already queued on it.
 */
final class ClStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final long mem;
    private final Cleaner.Cleanable cleanable;

    ClStorage(OpenClBackend backend, DType dtype, int length, long mem, long bytes) {
        super(dtype, length);
        this.backend = backend;
        this.mem = mem;
        this.cleanable = CLEANER.register(this, new Release(backend.device.allocator, mem, bytes));
    }

    /** The device buffer. */
    long mem() { return mem; }

    @Override
    public Backend backend() { return backend; }

    @Override
    public void close() { cleanable.clean(); }

    /** Returns the block to the allocator (the Cleaner runs it at most once); holds no reference to the storage. */
    private record Release(CachingAllocator<Long> allocator, long mem, long bytes) implements Runnable {
        @Override
        public void run() { allocator.release(mem, bytes); }
    }
}
