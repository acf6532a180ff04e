package dev.ember.backend.gpu;

/**
 * The column-major strided-batched GEMM that computes a row-major batched product
 * {@code C[b] (m x n) = A[b] (m x k) B[b] (k x n)}: BLAS sees {@code C^T = B^T A^T}, so its first
 * operand is B and its second is A, each passed as stored or transposed ({@link GemmOperand}).
 * Pure, so the swap is unit-tested without a GPU.
 *
 * @param transFirst  {@code op} of BLAS's first operand (B)
 * @param transSecond {@code op} of BLAS's second operand (A)
 * @param m           BLAS's m (= n of the row-major product)
 * @param n           BLAS's n (= m of the row-major product)
 * @param k           the inner dimension
 * @param ldFirst     leading dimension of B
 * @param strideFirst batch stride of B, in elements
 * @param ldSecond    leading dimension of A
 * @param strideSecond batch stride of A, in elements
 * @param ldc         leading dimension of C (= n of the row-major product)
 * @param strideC     batch stride of C ({@code m * n})
 * @param batch       number of products
 */
public record BlasCall(boolean transFirst, boolean transSecond, int m, int n, int k, int ldFirst, long strideFirst,
                       int ldSecond, long strideSecond, int ldc, long strideC, int batch) {

    /** The call for row-major operands laid out as {@code a} and {@code b} (C contiguous). */
    public static BlasCall of(int batch, int m, int k, int n, GemmOperand a, long aBatchStride, GemmOperand b, long bBatchStride) {
        return new BlasCall(b.transposed(), a.transposed(), n, m, k, b.ld(), bBatchStride, a.ld(), aBatchStride, n, (long) m * n, batch);
    }
}
