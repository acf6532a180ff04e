package dev.ember.nn;

import dev.ember.Tensor;

/** Batch normalisation of {@code [n, c]} or {@code [n, c, l]} inputs over the batch (and length); see {@link BatchNorm}. */
public final class BatchNorm1d extends BatchNorm {
    /** eps 1e-5, momentum 0.1, affine, as PyTorch. */
    public BatchNorm1d(int features) { this(features, 1e-5, 0.1, true); }

    /** A {@code BatchNorm1d} with the given {@code features}, {@code eps}, {@code momentum}, {@code affine}. */
    public BatchNorm1d(int features, double eps, double momentum, boolean affine) { super(features, eps, momentum, affine); }

    @Override
    void checkInput(Tensor x) {
        if (x.dim() != 2 && x.dim() != 3)
            throw new IllegalArgumentException("BatchNorm1d: expected [n, c] or [n, c, l], got " + java.util.Arrays.toString(x.shape()));
    }
}
