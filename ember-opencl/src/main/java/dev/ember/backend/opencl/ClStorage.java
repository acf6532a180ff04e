package dev.ember.backend.opencl;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;

/**
 * A {@code cl_mem} buffer from the device's caching allocator. {@link #release()} returns it to
 * the cache at once; the allocator's {@link Cleaner} does the same when an unclosed storage is collected.
 * Reuse is safe without waiting: the queue is in-order, so later users of the block run after
 * every kernel already queued on it.
 */
final class ClStorage extends Storage {
    private final OpenClBackend backend;
    private final long mem;
    private final Cleaner.Cleanable cleanable;

    ClStorage(OpenClBackend backend, DType dtype, int length, long mem, long bytes) {
        super(dtype, length);
        this.backend = backend;
        this.mem = mem;
        this.cleanable = backend.device.allocator.track(this, mem, bytes);
    }

    /** The device buffer. */
    long mem() { return mem; }

    @Override
    public Backend backend() { return backend; }

    @Override
    protected void free() { cleanable.clean(); }
}
