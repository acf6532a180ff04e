package dev.ember.nn;

import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/**
 * Root-mean-square normalisation over the trailing dims {@code normalizedShape}, as PyTorch's
 * {@code nn.RMSNorm}: {@code x / sqrt(mean(x^2) + eps) * weight}; {@code [..., *normalizedShape]} keeps its
 * shape. No centring and no bias (LLaMA's normalisation). Without an explicit {@code eps} the input dtype's
 * machine epsilon is used, as PyTorch's {@code eps=None}.
 */
public final class RMSNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final Parameter weight;

    /** An {@code RMSNorm} with a learnable weight (ones) and the dtype's epsilon. */
    public RMSNorm(long... normalizedShape) { this(normalizedShape, Double.NaN, true); }

    /** An {@code RMSNorm}; {@code eps} NaN means the input dtype's machine epsilon. */
    public RMSNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) {
        if (!Double.isNaN(eps) && !(eps >= 0)) throw new IllegalArgumentException("RMSNorm: eps must be >= 0, got " + eps);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        double e = !Double.isNaN(eps) ? eps : x.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
        return F.rmsNorm(x, normalizedShape, weight == null ? null : weight.value(), e);
    }

    @Override
    public String toString() { return "RMSNorm(" + java.util.Arrays.toString(normalizedShape) + ", eps=" + eps + ")"; }
}
