package dev.ember.backend.cuda;

import static jcuda.driver.JCudaDriver.cuStreamQuery;

import dev.ember.backend.Strided;
import jcuda.CudaException;
import jcuda.driver.CUresult;

/**
 * Raw addresses of CUDA tensors for native libraries that work on device memory themselves
 * (NCCL collectives through {@code java.lang.foreign}). Only the distributed layer uses it; ops
 * go through {@link CudaBackend}.
 */
public final class CudaInterop {
    private CudaInterop() {}

    /** Whether {@code s} lives in CUDA memory. */
    public static boolean isCuda(Strided s) { return s.storage() instanceof CudaStorage; }

    /** The device address of {@code s}'s first element; makes its context current on this thread. */
    public static long devicePointer(Strided s) {
        CudaStorage st = storage(s);
        CudaBackend b = (CudaBackend) st.backend();
        b.context().makeCurrent();
        return NativeAddress.of(st.ptr) + (long) s.offset() * s.dtype().byteSize();
    }

    /** The address of the stream on which Ember queues every op of {@code s}'s device. */
    public static long stream(Strided s) {
        return NativeAddress.of(((CudaBackend) storage(s).backend()).context().stream);
    }

    /**
     * Whether all work queued on {@code s}'s device stream has finished (without blocking, so a
     * caller can wait with a timeout); throws if the stream reported an error.
     */
    public static boolean streamIdle(Strided s) {
        CudaBackend b = (CudaBackend) storage(s).backend();
        b.context().makeCurrent();
        int r;
        try {
            r = cuStreamQuery(b.context().stream);
        } catch (CudaException e) { // JCuda throws for every result but success when exceptions are on
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_NOT_READY")) return false;
            throw e;
        }
        if (r == CUresult.CUDA_SUCCESS) return true;
        if (r == CUresult.CUDA_ERROR_NOT_READY) return false;
        throw new IllegalStateException("cuda: the stream reported " + CUresult.stringFor(r));
    }

    private static CudaStorage storage(Strided s) {
        if (!(s.storage() instanceof CudaStorage st))
            throw new IllegalArgumentException("cuda: the tensor is not in CUDA memory (it is on " + s.storage().backend().device() + ")");
        return st;
    }
}
