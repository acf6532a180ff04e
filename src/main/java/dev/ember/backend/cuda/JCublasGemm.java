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

    /** Creates the handle on the backend's stream; throws (anything) when JCublas2 cannot load. */
    JCublasGemm(CudaBackend backend, CudaContext ctx) {
        super(backend);
        JCublas2.setExceptionsEnabled(true);
        ctx.makeCurrent();
        JCublas2.cublasCreate(handle);
        JCublas2.cublasSetStream(handle, new cudaStream_t(ctx.stream));
    }

    @Override
    public GemmPath path() { return GemmPath.JCUBLAS; }

    @Override
    void gemm(DType dtype, boolean transA, boolean transB, int m, int n, int k,
              CudaStorage a, long aOff, int lda, long strideA, CudaStorage b, long bOff, int ldb, long strideB,
              CudaStorage c, long cOff, int ldc, long strideC, int batch) {
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int es = dtype.byteSize();
        Pointer pa = a.ptr.withByteOffset(aOff * es), pb = b.ptr.withByteOffset(bOff * es), pc = c.ptr.withByteOffset(cOff * es);
        if (dtype == DType.FLOAT32) {
            JCublas2.cublasSgemmStridedBatched(handle, opA, opB, m, n, k, Pointer.to(new float[]{1f}), pa, lda, strideA,
                    pb, ldb, strideB, Pointer.to(new float[]{0f}), pc, ldc, strideC, batch);
        } else {
            JCublas2.cublasDgemmStridedBatched(handle, opA, opB, m, n, k, Pointer.to(new double[]{1}), pa, lda, strideA,
                    pb, ldb, strideB, Pointer.to(new double[]{0}), pc, ldc, strideC, batch);
        }
    }
}
