package dev.ember.backend.gpu;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;

/**
 * Device memory of one {@link GpuBackend}, from its caching allocator. {@link #release()} returns the block
 * at once; the allocator's {@link Cleaner} does the same for storages nobody closed. Reuse is safe without
 * waiting: each device runs its work in order, so a later owner of the block runs after queued work on it.
 *
 * @param <B> the runtime's buffer handle
 */
final class GpuStorage<B> extends Storage {
    private final GpuBackend<B, ?> backend;
    final B buffer;
    private final Cleaner.Cleanable cleanable;

    GpuStorage(GpuBackend<B, ?> backend, DType dtype, long length, B buffer, long bytes) {
        super(dtype, length);
        this.backend = backend;
        this.buffer = buffer;
        this.cleanable = backend.allocator.track(this, buffer, bytes);
    }

    @Override
    public Backend backend() { return backend; }

    @Override
    protected void free() { cleanable.clean(); }
}
