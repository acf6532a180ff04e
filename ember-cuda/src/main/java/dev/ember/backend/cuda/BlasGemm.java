package dev.ember.backend.cuda;

import dev.ember.DType;
import dev.ember.backend.Strided;

/**
 * Row-major batched GEMM on a column-major BLAS through one strided-batched call ({@link BlasCall});
 * an operand whose strides fit no BLAS layout ({@link GemmOperand}) is first copied to a
 * contiguous buffer.
 */
abstract class BlasGemm implements CudaGemm {
    final CudaBackend backend;

    BlasGemm(CudaBackend backend) { this.backend = backend; }

    /** Runs {@code call} (alpha 1, beta 0); offsets are in elements. */
    abstract void gemm(DType dtype, BlasCall call, CudaStorage first, long firstOff, CudaStorage second, long secondOff,
                       CudaStorage c, long cOff);

    @Override
    public void matmul(Strided a, Strided b, Strided out) {
        int batch = a.shape()[0], m = a.shape()[1], k = a.shape()[2], n = b.shape()[2];
        try (var ac = new Operand(a); var bc = new Operand(b)) {
            BlasCall call = BlasCall.of(batch, m, k, n, ac.layout, ac.batchStride, bc.layout, bc.batchStride);
            gemm(out.dtype(), call, bc.storage, bc.offset, ac.storage, ac.offset, (CudaStorage) out.storage(), out.offset());
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
