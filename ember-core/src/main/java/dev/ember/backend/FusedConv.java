package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): direct 2-D convolution kernels for the geometries a backend
 * handles well (on the CPU, stride 1 with same-width output as an implicit GEMM). Without it, or when a call
 * returns false, the tensor layer unfolds and multiplies.
 */
public interface FusedConv {

    /**
     * {@code out = conv2d(x, w) + bias} with {@code groups = 1}, for {@code x [n, cin, h, w]} (any strides),
     * contiguous {@code w [cout, cin, kh, kw]}, {@code bias [cout]} or null, into contiguous
     * {@code out [n, cout, outH, outW]} (overwritten). Returns false when there is no fused path for these operands.
     */
    boolean conv2d(Strided x, Strided w, Strided bias, ConvGeometry g, Strided out);

    /**
     * The input gradient of {@link #conv2d}: {@code dx [n, cin, h, w]} (contiguous, overwritten) from
     * {@code grad [n, cout, outH, outW]} (contiguous) and contiguous {@code w}, for the forward geometry {@code g}.
     * Returns false when there is no fused path for these operands.
     */
    boolean conv2dInputGrad(Strided grad, Strided w, ConvGeometry g, Strided dx);

    /**
     * The weight gradient of {@link #conv2d}: contiguous {@code dw [cout, cin * kh * kw]} (overwritten) from
     * {@code grad [n, cout, outH, outW]} (contiguous) and {@code x [n, cin, h, w]} (any strides), for the forward
     * geometry {@code g}. Returns false when there is no fused path for these operands.
     */
    boolean conv2dWeightGrad(Strided grad, Strided x, ConvGeometry g, Strided dw);

    /**
     * {@link #conv2dWeightGrad} and the bias gradient {@code db [cout]} (contiguous, overwritten: the sum of {@code grad}
     * over images and positions) in one pass over {@code grad}, where the backend's kernel can give both together.
     * Returns false when it cannot; the caller then uses {@link #conv2dWeightGrad} and a reduction.
     */
    default boolean conv2dWeightAndBiasGrad(Strided grad, Strided x, ConvGeometry g, Strided dw, Strided db) {
        return false;
    }
}
