package dev.ember.backend.cuda;

import dev.ember.DType;
import java.lang.foreign.MemorySegment;

/** The installed cuBLAS (13 or newer, where JCublas 12 cannot load) through {@link CublasBinding}. */
final class FfmCublasGemm extends BlasGemm {
    private final CublasBinding cublas;
    private final MemorySegment handle;

    /** Binds {@code lib} and creates a handle on the backend's stream; throws when a symbol or call fails. */
    FfmCublasGemm(CudaBackend backend, CudaContext ctx, FfmCublas.Library lib) {
        super(backend);
        cublas = new CublasBinding(lib.name(), lib.lookup());
        ctx.makeCurrent();
        handle = cublas.createHandle();
        cublas.setStream(handle, NativeAddress.of(ctx.stream));
    }

    /** The library bound, e.g. {@code libcublas.so.13}. */
    String library() { return cublas.library(); }

    @Override
    public GemmPath path() { return GemmPath.CUBLAS_FFM; }

    @Override
    void gemm(DType dtype, BlasCall call, CudaStorage first, long firstOff, CudaStorage second, long secondOff,
              CudaStorage c, long cOff) {
        int es = dtype.byteSize();
        cublas.gemm(dtype == DType.FLOAT32, handle, call, NativeAddress.of(first.ptr) + firstOff * es,
                NativeAddress.of(second.ptr) + secondOff * es, NativeAddress.of(c.ptr) + cOff * es);
    }
}
