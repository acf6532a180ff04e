package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.MultiMarginLoss}: scores {@code [n, c]}, class indices {@code [n]}, see {@link F#multiMarginLoss}. */
public final class MultiMarginLoss implements Loss {
    private final int p;
    private final double margin;
    private final Tensor weight;
    private final Reduction reduction;
    /** A {@code MultiMarginLoss} with PyTorch's default arguments. */
    public MultiMarginLoss() { this(1, 1.0, null, Reduction.MEAN); }

    /** {@code p} is 1 or 2; {@code weight} {@code [c]} may be null. */
    public MultiMarginLoss(int p, double margin, Tensor weight, Reduction reduction) {
        this.p = p;
        this.margin = margin;
        this.weight = weight;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.multiMarginLoss(input, target, p, margin, weight, reduction); }
}
