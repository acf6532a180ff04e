package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.Strided;

/**
 * Row-major batched GEMM on a column-major BLAS: {@code C = A B} runs as {@code C^T = B^T A^T}
 * through the strided-batched call, with operands passed as stored or transposed
 * ({@link GemmOperand}); an operand whose strides fit neither is copied to a contiguous buffer.
 */
abstract class BlasGemm implements CudaGemm {
    final CudaBackend backend;

    BlasGemm(CudaBackend backend) { this.backend = backend; }

    /**
     * One column-major strided-batched GEMM: {@code C[i] = op(A[i]) op(B[i])} with {@code C} of
     * {@code m x n}; offsets and strides in elements.
     */
    abstract void gemm(DType dtype, boolean transA, boolean transB, int m, int n, int k,
                       CudaStorage a, long aOff, int lda, long strideA,
                       CudaStorage b, long bOff, int ldb, long strideB,
                       CudaStorage c, long cOff, int ldc, long strideC, int batch);

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        int batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        try (var ac = new Operand(a); var bc = new Operand(b)) {
            // Column-major C^T (n x m) = B^T (n x k) * A^T (k x m).
            gemm(out.dtype(), bc.layout.transposed(), ac.layout.transposed(), n, m, k,
                    bc.storage, bc.offset, bc.layout.ld(), bc.batchStride,
                    ac.storage, ac.offset, ac.layout.ld(), ac.batchStride,
                    (CudaStorage) out.storage(), out.offset(), n, (long) m * n, batch);
        }
    }

    /** An operand in a BLAS-compatible layout, copied to a temporary when its strides need it. */
    private final class Operand implements AutoCloseable {
        final CudaStorage storage;
        final long offset, batchStride;
        final GemmOperand layout;
        private final CudaStorage temp;

        Operand(Strided s) {
            int rows = s.shape()[1], cols = s.shape()[2];
            GemmOperand l = GemmOperand.of(rows, cols, s.strides()[1], s.strides()[2]);
            if (l != null) {
                storage = (CudaStorage) s.storage();
                offset = s.offset();
                batchStride = s.shape()[0] == 1 ? 0 : s.strides()[0];
                layout = l;
                temp = null;
            } else {
                temp = backend.contiguousCopy(s);
                storage = temp;
                offset = 0;
                batchStride = (long) rows * cols;
                layout = GemmOperand.of(rows, cols, cols, 1);
            }
        }

        @Override
        public void close() {
            if (temp != null) temp.close(); // stream-ordered: a later reuse of the block queues after this GEMM
        }
    }
}
