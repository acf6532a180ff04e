package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.BCEWithLogitsLoss}: logits and targets of one shape, see {@link F#binaryCrossEntropyWithLogits}. */
public final class BCEWithLogitsLoss implements Loss {
    private final Tensor weight, posWeight;
    private final Reduction reduction;
    /** A {@code BCEWithLogitsLoss} with PyTorch's default arguments. */
    public BCEWithLogitsLoss() { this(null, null, Reduction.MEAN); }

    /** {@code weight} and {@code posWeight} (per class, broadcast) may be null. */
    public BCEWithLogitsLoss(Tensor weight, Tensor posWeight, Reduction reduction) {
        this.weight = weight;
        this.posWeight = posWeight;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.binaryCrossEntropyWithLogits(input, target, weight, posWeight, reduction); }
}
