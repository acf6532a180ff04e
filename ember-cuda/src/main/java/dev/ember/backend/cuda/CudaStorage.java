package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory of one CUDA backend. {@link #release()} returns the block to the backend's caching
 * allocator at once; the allocator's {@link Cleaner} does the same for storages nobody closed.
 */
final class CudaStorage extends Storage {
    private final CudaBackend backend;
    final CUdeviceptr ptr;
    private final long bytes;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaBackend backend, DType dtype, int length, CUdeviceptr ptr, long bytes) {
        super(dtype, length);
        this.backend = backend;
        this.ptr = ptr;
        this.bytes = bytes;
        this.cleanable = backend.context().allocator.track(this, ptr, bytes);
    }

    @Override
    public Backend backend() { return backend; }

    /** Bytes requested for this storage. */
    long bytes() { return bytes; }

    @Override
    protected void free() { cleanable.clean(); }
}
