package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.HuberLoss} (delta default 1), see {@link F#huberLoss}; any shape. */
public final class HuberLoss implements Loss {
    private final Reduction reduction;
    private final double delta;
    /** A {@code HuberLoss} with PyTorch's default arguments. */
    public HuberLoss() { this(Reduction.MEAN, 1.0); }

    /** A {@code HuberLoss} with the given {@code reduction}, {@code delta}. */
    public HuberLoss(Reduction reduction, double delta) {
        this.reduction = reduction;
        this.delta = delta;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.huberLoss(input, target, reduction, delta); }
}
