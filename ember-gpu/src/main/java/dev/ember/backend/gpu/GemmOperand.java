package dev.ember.backend.gpu;

/**
 * How one row-major matrix operand {@code [rows, cols]} with strides {@code (rowStride, colStride)}
 * is handed to a column-major BLAS: as stored ({@code transposed = false}, leading dimension
 * {@code rowStride}) or as its transpose ({@code transposed = true}, leading dimension
 * {@code colStride}). Row-major {@code C = A B} is computed as column-major {@code C^T = B^T A^T},
 * so a row-major operand with unit column stride is exactly BLAS's untransposed operand.
 *
 * @param transposed whether BLAS must apply {@code op = T}
 * @param ld         the leading dimension to pass
 */
public record GemmOperand(boolean transposed, int ld) {

    /**
     * The BLAS view of an operand, or {@code null} when its strides fit neither layout or its leading dimension
     * passes BLAS's {@code int} (the caller copies it to a contiguous buffer first).
     */
    public static GemmOperand of(long rows, long cols, long rowStride, long colStride) {
        // Unit stride along columns: row-major with leading dimension rowStride (>= cols).
        if (cols == 1 || colStride == 1) {
            long ld = rows == 1 ? Math.max(cols, 1) : rowStride;
            if (ld >= Math.max(cols, 1) && ld <= Integer.MAX_VALUE) return new GemmOperand(false, (int) ld);
        }
        // Unit stride along rows: the transpose of a row-major matrix, leading dimension colStride (>= rows).
        if (rows == 1 || rowStride == 1) {
            long ld = cols == 1 ? Math.max(rows, 1) : colStride;
            if (ld >= Math.max(rows, 1) && ld <= Integer.MAX_VALUE) return new GemmOperand(true, (int) ld);
        }
        return null;
    }
}
