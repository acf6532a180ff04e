package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.NLLLoss}: log-probabilities {@code [n, c]} and class indices {@code [n]}, see {@link F#nllLoss}. */
public final class NLLLoss implements Loss {
    private final Tensor weight;
    private final long ignoreIndex;
    private final Reduction reduction;
    /** A {@code NLLLoss} with PyTorch's default arguments. */
    public NLLLoss() { this(null, -100, Reduction.MEAN); }

    /** {@code weight} {@code [c]} may be null. */
    public NLLLoss(Tensor weight, long ignoreIndex, Reduction reduction) {
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.nllLoss(input, target, weight, ignoreIndex, reduction); }
}
