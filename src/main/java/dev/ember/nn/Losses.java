package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.CrossEntropy;
import dev.ember.nn.functional.F;

/**
 * The losses as objects, named as PyTorch's loss modules ({@code Losses.crossEntropy()} is
 * {@code nn.CrossEntropyLoss()}); each delegates to its {@link F} function.
 */
public final class Losses {
    private Losses() {}

    public static Loss mse(Reduction reduction) { return (x, y) -> F.mseLoss(x, y, reduction); }

    public static Loss mse() { return mse(Reduction.MEAN); }

    public static Loss l1(Reduction reduction) { return (x, y) -> F.l1Loss(x, y, reduction); }

    public static Loss smoothL1(Reduction reduction, double beta) { return (x, y) -> F.smoothL1Loss(x, y, reduction, beta); }

    public static Loss huber(Reduction reduction, double delta) { return (x, y) -> F.huberLoss(x, y, reduction, delta); }

    /** {@code nn.CrossEntropyLoss()} with PyTorch's defaults. */
    public static Loss crossEntropy() { return crossEntropy(CrossEntropy.builder().build()); }

    public static Loss crossEntropy(CrossEntropy options) { return options::apply; }

    public static Loss nll(Tensor weight, long ignoreIndex, Reduction reduction) { return (x, y) -> F.nllLoss(x, y, weight, ignoreIndex, reduction); }

    public static Loss binaryCrossEntropy(Reduction reduction) { return (x, y) -> F.binaryCrossEntropy(x, y, null, reduction); }

    public static Loss binaryCrossEntropyWithLogits(Tensor posWeight, Reduction reduction) {
        return (x, y) -> F.binaryCrossEntropyWithLogits(x, y, null, posWeight, reduction);
    }

    public static Loss hingeEmbedding(double margin, Reduction reduction) { return (x, y) -> F.hingeEmbeddingLoss(x, y, margin, reduction); }

    public static Loss multiMargin(int p, double margin, Reduction reduction) { return (x, y) -> F.multiMarginLoss(x, y, p, margin, null, reduction); }
}
