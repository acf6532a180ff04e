package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.BCELoss}: probabilities and targets of one shape, see {@link F#binaryCrossEntropy}. */
public final class BCELoss implements Loss {
    private final Tensor weight;
    private final Reduction reduction;
    /** A {@code BCELoss} with PyTorch's default arguments. */
    public BCELoss() { this(null, Reduction.MEAN); }

    /** {@code weight} (broadcast to the input) may be null. */
    public BCELoss(Tensor weight, Reduction reduction) {
        this.weight = weight;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.binaryCrossEntropy(input, target, weight, reduction); }
}
