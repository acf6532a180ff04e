package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): softmax in one pass. Without it the tensor layer
 * composes softmax from max, exp, sum and div; the backend contract suite checks both paths against
 * one reference.
 */
public interface FusedSoftmax {

    /**
     * Softmax (or log-softmax) along the last axis of {@code x} into contiguous {@code out} of x's shape.
     * Returns false when this backend has no fused path for these operands (the tensor layer then composes).
     */
    boolean softmaxLastDim(Strided x, Strided out, boolean log);
}
