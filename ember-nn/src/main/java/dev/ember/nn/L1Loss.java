package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.L1Loss}: absolute error, see {@link F#l1Loss}; any shape. */
public final class L1Loss implements Loss {
    private final Reduction reduction;
    /** A {@code L1Loss} with PyTorch's default arguments. */
    public L1Loss() { this(Reduction.MEAN); }

    /** A {@code L1Loss} with the given {@code reduction}. */
    public L1Loss(Reduction reduction) { this.reduction = reduction; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.l1Loss(input, target, reduction); }
}
