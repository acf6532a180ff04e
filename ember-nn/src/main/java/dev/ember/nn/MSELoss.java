package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.MSELoss}: squared error, see {@link F#mseLoss}; any shape. */
public final class MSELoss implements Loss {
    private final Reduction reduction;
    /** A {@code MSELoss} with PyTorch's default arguments. */
    public MSELoss() { this(Reduction.MEAN); }

    /** A {@code MSELoss} with the given {@code reduction}. */
    public MSELoss(Reduction reduction) { this.reduction = reduction; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.mseLoss(input, target, reduction); }
}
