package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.CrossEntropy;

/**
 * {@code nn.CrossEntropyLoss}: logits {@code [n, c]} against class indices {@code [n]} or class
 * probabilities {@code [n, c]}; options (weight, ignoreIndex, labelSmoothing, reduction) through
 * {@link CrossEntropy#builder()}.
 */
public final class CrossEntropyLoss implements Loss {
    private final CrossEntropy options;

    /** PyTorch's defaults: no weights, ignoreIndex -100, no smoothing, mean. */
    public CrossEntropyLoss() { this(CrossEntropy.builder().build()); }

    /** A {@code CrossEntropyLoss} with the given {@code options}. */
    public CrossEntropyLoss(CrossEntropy options) { this.options = options; }

    @Override
    public Tensor forward(Tensor input, Tensor target) { return options.apply(input, target); }
}
