package dev.ember.testing;

import dev.ember.Tensor;

/**
 * How a sample's input is laid out in memory. Every layout but {@link #CONTIGUOUS} gives a view whose
 * kernels must follow strides or an offset; each is built with differentiable ops, so gradchecks see the
 * same views as the forward tests.
 */
public enum Layout {
    /** Row-major, offset 0. */
    CONTIGUOUS,
    /** Stored with the last two dims swapped and viewed back (rank 2 or more, non-empty). */
    TRANSPOSED,
    /** Every other slice of a buffer twice as long along dim 0 (rank 1 or more, non-empty). */
    STRIDED,
    /** A size-1 dim 0 broadcast to the full size with stride 0 (rank 1 or more). */
    EXPANDED,
    /** Contiguous, but starting one dim-0 slice into a larger buffer (rank 1 or more, non-empty). */
    OFFSET,
    /** {@code [n, c, h, w]} stored as {@code [n, h, w, c]} (rank 4, non-empty). */
    CHANNELS_LAST;

    /** Whether this layout can be built for {@code shape}. */
    public boolean fits(int[] shape) {
        boolean empty = Ref.numel(shape) == 0;
        return switch (this) {
            case CONTIGUOUS -> true;
            case TRANSPOSED -> shape.length >= 2 && !empty;
            case STRIDED, OFFSET -> shape.length >= 1 && !empty;
            case EXPANDED -> shape.length >= 1;
            case CHANNELS_LAST -> shape.length == 4 && !empty;
        };
    }

    /**
     * The shape of the tensor this layout is built from: {@code shape} itself, or for {@link #EXPANDED}
     * the shape with dim 0 of size 1.
     */
    public int[] baseShape(int[] shape) {
        if (this != EXPANDED) return shape;
        int[] b = shape.clone();
        b[0] = 1;
        return b;
    }

    /** The view of this layout over {@code base} (a contiguous tensor of {@link #baseShape}), for {@code shape}. */
    public Tensor view(Tensor base, int[] shape) {
        return switch (this) {
            case CONTIGUOUS -> base;
            case TRANSPOSED -> {
                int a = base.dim() - 2, b = base.dim() - 1;
                yield base.transpose(a, b).contiguous().transpose(a, b);
            }
            case STRIDED -> Tensor.stack(1, base, Tensor.zerosLike(base)).select(1, 0);
            case EXPANDED -> base.expand(Ref.toLong(shape));
            case OFFSET -> Tensor.cat(0, Tensor.zerosLike(base.narrow(0, 0, 1)), base).narrow(0, 1, shape[0]);
            case CHANNELS_LAST -> base.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        };
    }
}
