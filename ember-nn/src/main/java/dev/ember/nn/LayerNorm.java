package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/**
 * Layer normalisation over the trailing dims {@code normalizedShape}: {@code [..., *normalizedShape]}
 * keeps its shape; mean and biased variance per example, then an elementwise affine map. One fused
 * autograd node where the backend has one (the CPU), float32 under autocast: see {@link dev.ember.Normalization}.
 */
public final class LayerNorm extends Module {
    private final long[] normalizedShape;
    private final double eps;
    private final Parameter weight, bias;

    /** A {@code LayerNorm} with the given {@code normalizedShape}. */
    public LayerNorm(long... normalizedShape) { this(normalizedShape, 1e-5, true); }

    /** A {@code LayerNorm} with the given {@code normalizedShape}, {@code eps}, {@code elementwiseAffine}. */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine) { this(normalizedShape, eps, elementwiseAffine, true); }

    /** As PyTorch 2.1+: {@code bias = false} keeps the learnable weight but drops the bias. */
    public LayerNorm(long[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine && bias ? registerParameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int k = normalizedShape.length, r = x.dim();
        boolean ok = r >= k;
        for (int i = 0; ok && i < k; i++) ok = x.size(r - k + i) == normalizedShape[i];
        if (!ok) throw new IllegalArgumentException("LayerNorm" + java.util.Arrays.toString(normalizedShape) + ": input shape "
                + java.util.Arrays.toString(x.shape()) + " does not end with the normalized shape");
        return F.layerNorm(x, normalizedShape, weight == null ? null : weight.value(), bias == null ? null : bias.value(), eps);
    }
}
