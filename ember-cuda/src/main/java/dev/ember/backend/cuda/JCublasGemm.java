package dev.ember.backend.cuda;

import dev.ember.DType;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/** cuBLAS 12 through JCublas2 (loads only where {@code libcublas.so.12} is installed). */
final class JCublasGemm extends BlasGemm {
    private final cublasHandle handle = new cublasHandle();

    /** Loads JCublas2 (from Ember's private directory) and creates the handle; throws (anything) when it cannot load. */
    static JCublasGemm create(CudaBackend backend, CudaContext ctx) {
        JCudaNatives.load("JCublas2", () -> JCublas2.setExceptionsEnabled(true));
        return new JCublasGemm(backend, ctx);
    }

    /** Creates the handle on the backend's stream. */
    private JCublasGemm(CudaBackend backend, CudaContext ctx) {
        super(backend);
        ctx.makeCurrent();
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, new cudaStream_t(ctx.stream));
    }

    @Override
    public GemmPath path() { return GemmPath.JCUBLAS; }

    @Override
    void gemm(DType dtype, BlasCall c, CudaStorage first, long firstOff, CudaStorage second, long secondOff,
              CudaStorage out, long outOff) {
        int opA = c.transFirst() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = c.transSecond() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int es = dtype.byteSize();
        Pointer pa = first.ptr.withByteOffset(firstOff * es), pb = second.ptr.withByteOffset(secondOff * es);
        Pointer pc = out.ptr.withByteOffset(outOff * es);
        if (dtype == DType.FLOAT32) {
            JCublas2.cublasSgemmStridedBatched(handle, opA, opB, c.m(), c.n(), c.k(), Pointer.to(new float[]{1f}),
                    pa, c.ldFirst(), c.strideFirst(), pb, c.ldSecond(), c.strideSecond(), Pointer.to(new float[]{0f}),
                    pc, c.ldc(), c.strideC(), c.batch());
        } else {
            JCublas2.cublasDgemmStridedBatched(handle, opA, opB, c.m(), c.n(), c.k(), Pointer.to(new double[]{1}),
                    pa, c.ldFirst(), c.strideFirst(), pb, c.ldSecond(), c.strideSecond(), Pointer.to(new double[]{0}),
                    pc, c.ldc(), c.strideC(), c.batch());
        }
    }
}
