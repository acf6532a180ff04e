package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** {@code nn.HingeEmbeddingLoss} (margin default 1): targets of 1 or -1, see {@link F#hingeEmbeddingLoss}. */
public final class HingeEmbeddingLoss implements Loss {
    private final double margin;
    private final Reduction reduction;
    /** A {@code HingeEmbeddingLoss} with PyTorch's default arguments. */
    public HingeEmbeddingLoss() { this(1.0, Reduction.MEAN); }

    /** A {@code HingeEmbeddingLoss} with the given {@code margin}, {@code reduction}. */
    public HingeEmbeddingLoss(double margin, Reduction reduction) {
        this.margin = margin;
        this.reduction = reduction;
    }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return F.hingeEmbeddingLoss(input, target, margin, reduction); }
}
