package dev.ember.nn;

import dev.ember.Tensor;

/** How a loss combines per-element losses: kept as they are, averaged, or summed (PyTorch's {@code reduction}). */
public enum Reduction {
    NONE, MEAN, SUM;

    /** Applies this reduction to per-element losses. */
    public Tensor apply(Tensor losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }
}
