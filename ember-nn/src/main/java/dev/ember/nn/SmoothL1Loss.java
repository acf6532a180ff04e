package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.SmoothL1Loss} (beta default 1), see {@link F#smoothL1Loss}; any shape. */
public final class SmoothL1Loss implements Loss {
    private final Reduction reduction;
    private final double beta;
    /** A {@code SmoothL1Loss} with PyTorch's default arguments. */
    public SmoothL1Loss() { this(Reduction.MEAN, 1.0); }

    /** A {@code SmoothL1Loss} with the given {@code reduction}, {@code beta}. */
    public SmoothL1Loss(Reduction reduction, double beta) {
        this.reduction = reduction;
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.smoothL1Loss(input, target, reduction, beta); }
}
