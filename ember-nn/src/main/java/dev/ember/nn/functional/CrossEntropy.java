package dev.ember.nn.functional;

import dev.ember.Autocast;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.Reduction;

/**
 * Cross-entropy of logits {@code [n, c]} (or {@code [n, c, d...]}) with PyTorch's options:
 * class-index targets {@code [n]} or class-probability targets {@code [n, c]}, per-class
 * {@code weight} {@code [c]}, {@code ignoreIndex} (index targets only) and {@code labelSmoothing}.
 * With weights and index targets the mean divides by the summed weights of the counted targets.
 * Build with {@link #builder()}; immutable.
 */
public final class CrossEntropy {
    static final CrossEntropy DEFAULT = builder().build();

    private final Tensor weight;
    private final long ignoreIndex;
    private final double labelSmoothing;
    private final Reduction reduction;

    private CrossEntropy(Builder b) {
        this.weight = b.weight;
        this.ignoreIndex = b.ignoreIndex;
        this.labelSmoothing = b.labelSmoothing;
        this.reduction = b.reduction;
    }

    /** Options with PyTorch's defaults. */
    public static Builder builder() { return new Builder(); }

    /** The loss of {@code logits} against {@code target}. */
    public Tensor apply(Tensor logits, Tensor target) {
        Tensor logP = Autocast.float32(logits).logSoftmax(1); // a loss: float32 under autocast
        if (target.dtype().isFloatingPoint()) return withProbabilities(logP, target);
        Tensor nll = F.nllLoss(logP, target, weight, ignoreIndex, reduction);
        if (labelSmoothing == 0) return nll;
        Tensor lp = F.classesLast("crossEntropy", logP, target);
        long classes = lp.size(1);
        Tensor t = target.reshape(-1).to(DType.INT64);
        Tensor counted = t.ne((double) ignoreIndex);
        Tensor w = weight == null ? null : weight.to(lp.dtype());
        Tensor smooth = (w == null ? lp : lp.mul(w)).sum(1).neg().mul(counted.to(lp.dtype()));
        Tensor smoothReduced = switch (reduction) {
            case NONE -> smooth.reshape(target.shape());
            case SUM -> smooth.sum();
            case MEAN -> {
                Tensor safe = Tensor.where(counted, t, Tensor.zerosLike(t));
                Tensor denom = w == null ? counted.to(lp.dtype()).sum() : w.indexSelect(0, safe).mul(counted.to(lp.dtype())).sum();
                yield smooth.sum().div(denom);
            }
        };
        return nll.mul(1 - labelSmoothing).add(smoothReduced.mul(labelSmoothing / classes));
    }

    private Tensor withProbabilities(Tensor logP, Tensor target) {
        if (!java.util.Arrays.equals(logP.shape(), target.shape()))
            throw new IllegalArgumentException("crossEntropy: probability targets " + java.util.Arrays.toString(target.shape())
                    + " must have the input's shape " + java.util.Arrays.toString(logP.shape()));
        long classes = logP.size(1);
        Tensor p = labelSmoothing == 0 ? target : target.mul(1 - labelSmoothing).add(labelSmoothing / classes);
        Tensor terms = logP.mul(p);
        if (weight != null) {
            long[] shape = new long[logP.dim()];
            java.util.Arrays.fill(shape, 1);
            shape[1] = classes;
            terms = terms.mul(weight.to(logP.dtype()).reshape(shape));
        }
        Tensor losses = terms.sum(1).neg();
        return switch (reduction) {
            case NONE -> losses;
            case SUM -> losses.sum();
            case MEAN -> losses.sum().div((double) logP.size(0));
        };
    }

    /** Options of {@link CrossEntropy}; defaults as PyTorch: no weights, ignoreIndex -100, no smoothing, mean. */
    public static final class Builder {
        private Tensor weight;
        private long ignoreIndex = -100;
        private double labelSmoothing;
        private Reduction reduction = Reduction.MEAN;

        /** Per-class weights {@code [c]}. */
        public Builder weight(Tensor weight) { this.weight = weight; return this; }

        /** Sets {@code ignoreIndex} (PyTorch's {@code ignore_index}). */
        public Builder ignoreIndex(long ignoreIndex) { this.ignoreIndex = ignoreIndex; return this; }

        /** Mixes the target with the uniform distribution: {@code (1 - s) y + s / c}. */
        public Builder labelSmoothing(double labelSmoothing) {
            if (labelSmoothing < 0 || labelSmoothing > 1)
                throw new IllegalArgumentException("crossEntropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
            this.labelSmoothing = labelSmoothing;
            return this;
        }

        /** Sets {@code reduction} (PyTorch's {@code reduction}). */
        public Builder reduction(Reduction reduction) { this.reduction = reduction; return this; }

        /** The configured {@code CrossEntropy}. */
        public CrossEntropy build() { return new CrossEntropy(this); }
    }
}
