package dev.ember.nn;

import dev.ember.Autocast;
import dev.ember.Tensor;

/**
 * Layer normalisation over the trailing dims {@code normalizedShape}: {@code [..., *normalizedShape]}
 * keeps its shape; mean and biased variance per example, then an elementwise affine map.
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
        int[] dims = new int[k];
        for (int i = 0; i < k; i++) dims[i] = r - k + i;
        x = Autocast.float32(x); // a norm: float32 under autocast
        Tensor mean = x.mean(dims, true);
        Tensor centered = x.sub(mean);
        Tensor y = centered.mul(centered.square().mean(dims, true).add(eps).rsqrt());
        if (weight != null) y = y.mul(weight.value());
        return bias == null ? y : y.add(bias.value());
    }
}
