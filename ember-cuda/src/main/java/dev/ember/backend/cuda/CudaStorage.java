package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.Backend;
import dev.ember.backend.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory of one CUDA backend. {@link #close()} returns the block to the backend's caching
 * allocator at once; a {@link Cleaner} does the same for storages nobody closed.
 */
final class CudaStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaBackend backend;
    final CUdeviceptr ptr;
    private final Release release;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaBackend backend, DType dtype, int length, CUdeviceptr ptr, long bytes) {
        super(dtype, length);
        this.backend = backend;
        this.ptr = ptr;
        this.release = new Release(backend, ptr, bytes);
        this.cleanable = CLEANER.register(this, release);
    }

    @Override
    public Backend backend() { return backend; }

    /** Bytes requested for this storage. */
    long bytes() { return release.bytes; }

    @Override
    public void close() { cleanable.clean(); }

    /** Holds no reference to the storage, so the storage can become unreachable; the Cleaner runs it at most once. */
    private record Release(CudaBackend backend, CUdeviceptr ptr, long bytes) implements Runnable {
        @Override
        public void run() { backend.release(ptr, bytes); }
    }
}
