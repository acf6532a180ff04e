package dev.ember.optim;

import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradClipping {
    private GradClipping() {}

    /**
     * Scales all gradients together so that their joint {@code normType}-norm is at most
     * {@code maxNorm} (factor {@code maxNorm / (norm + 1e-6)} when below 1); returns the norm before clipping.
     * {@code normType} may be {@link Double#POSITIVE_INFINITY}.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        try (var ignored = Ember.noGrad()) {
            double total = 0;
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g == null) continue;
                if (Double.isInfinite(normType)) total = Math.max(total, g.abs().max().item());
                else total += g.abs().pow(normType).sum().item();
            }
            if (!Double.isInfinite(normType)) total = Math.pow(total, 1 / normType);
            double coef = maxNorm / (total + 1e-6);
            if (coef < 1) for (Tensor p : params) if (p.grad() != null) p.grad().mulInPlace(coef);
            return total;
        }
    }

    /** Clips with the 2-norm. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) { return clipGradNorm(params, maxNorm, 2); }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        try (var ignored = Ember.noGrad()) {
            for (Tensor p : params) if (p.grad() != null) p.grad().clampInPlace(-clipValue, clipValue);
        }
    }
}
