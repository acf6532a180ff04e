package dev.ember.backend.gpu;

import dev.ember.DType;

/**
 * A column-major BLAS's strided-batched GEMM (cuBLAS, and any other a runtime binds), for float GEMM.
 * {@link GpuBackend} maps row-major operands onto it ({@link GemmOperand}, {@link BlasCall}), copying an
 * operand whose strides fit no BLAS layout.
 *
 * @param <B> the runtime's buffer handle
 */
public interface Blas<B> {

    /** One line for logs and the backend's name, e.g. {@code "cuBLAS 12 via JCublas2"}. */
    String description();

    /**
     * Whether this BLAS multiplies {@code dtype}: FLOAT32 and FLOAT64; a BLAS with a 16-bit GEMM that
     * accumulates in float32 (cuBLAS {@code GemmEx}) adds FLOAT16 and BFLOAT16.
     */
    default boolean supports(DType dtype) { return dtype == DType.FLOAT32 || dtype == DType.FLOAT64; }

    /**
     * Runs {@code call} with alpha 1 and beta 0, queued after the runtime's earlier work; the operands start
     * at the given element offsets of their buffers.
     */
    void gemm(DType dtype, BlasCall call, B first, long firstOffset, B second, long secondOffset, B c, long cOffset);
}
