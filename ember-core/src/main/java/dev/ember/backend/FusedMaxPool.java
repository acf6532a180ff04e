package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): 2-D max pooling with recorded picks, and its adjoint.
 * Without it the tensor layer composes pooling from unfold and max, and its gradient from scatter-add.
 */
public interface FusedMaxPool {

    /**
     * 2-D max pooling of {@code x [n, c, h, w]} (any strides) into contiguous {@code out [n, c, outH, outW]},
     * recording in contiguous INT32 {@code indices} (out's shape) the flat position {@code ih * w + iw} of
     * each window's pick within its input plane. Padding reads -inf (at most half the kernel, so every
     * window holds an input element); the pick is the window's first NaN, else its first maximum in
     * row-major window order, and never a padding position. Returns false when there is no fused path
     * for these operands.
     */
    boolean maxPool2d(Strided x, ConvGeometry g, Strided out, Strided indices);

    /**
     * The adjoint of {@link #maxPool2d}: {@code dx [n, c, h, w]} (contiguous, overwritten) is zero except where
     * {@code indices} recorded a pick, which receives the sum of the elements of {@code grad}
     * ({@code [n, c, outH, outW]}, any strides) that picked it. Returns false when there is no fused path for
     * these operands.
     */
    boolean maxPool2dBackward(Strided grad, Strided indices, ConvGeometry g, Strided dx);
}
