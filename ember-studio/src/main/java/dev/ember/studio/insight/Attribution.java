package dev.ember.studio.insight;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.Module;

/**
 * Which input values a classifier's score depends on, by autograd: one answer to the "black box" complaint.
 * The score is the model's output for the {@code target} class (a logit, before softmax), and the model is put
 * in eval mode. Inputs are one example with a batch dimension of 1, e.g. {@code [1, 1, 28, 28]}.
 */
public final class Attribution {
    private Attribution() {}

    /** The output for class {@code target} at each row of {@code x}: {@code [b, ...] -> [b]}. */
    public static Tensor score(Module model, Tensor x, int target) {
        Tensor out = model.forward(x);
        if (out.dim() != 2) throw new IllegalArgumentException("Attribution: the model's output must be [batch, classes], got " + out.dim() + " dims");
        if (target < 0 || target >= out.size(1))
            throw new IllegalArgumentException("Attribution: target " + target + " is outside the " + out.size(1) + " classes");
        return out.select(1, target);
    }

    /** Saliency: {@code |d score_target / d x|}, the same shape as {@code x}. */
    public static Tensor saliency(Module model, Tensor x, int target) {
        model.eval();
        Tensor in = x.detach().contiguous().requiresGrad(true);
        score(model, in, target).sum().backward();
        Tensor g = in.grad().abs().detach();
        model.zeroGrad();
        return g;
    }

    /**
     * Integrated gradients (Sundararajan et al., 2017): {@code (x - baseline) * ∫₀¹ ∇score(baseline + a (x - baseline)) da},
     * the integral by the trapezoid rule over {@code steps} intervals (all {@code steps + 1} points in one batch).
     * The attributions add up to {@code score(x) - score(baseline)} up to the integration error (completeness).
     *
     * @param x        one example {@code [1, ...]}
     * @param baseline the reference input, the same shape (e.g. a black image)
     * @return attributions, the same shape as {@code x}
     */
    public static Tensor integratedGradients(Module model, Tensor x, Tensor baseline, int target, int steps) {
        if (steps < 1) throw new IllegalArgumentException("Attribution.integratedGradients: steps must be >= 1, got " + steps);
        if (!java.util.Arrays.equals(x.shape(), baseline.shape()))
            throw new IllegalArgumentException("Attribution.integratedGradients: x " + java.util.Arrays.toString(x.shape())
                    + " and baseline " + java.util.Arrays.toString(baseline.shape()) + " differ in shape");
        if (x.size(0) != 1) throw new IllegalArgumentException("Attribution.integratedGradients: x must hold one example, got " + x.size(0));
        model.eval();
        long[] pathShape = x.shape();
        pathShape[0] = steps + 1;
        float[] alphas = new float[steps + 1];
        float[] weights = new float[steps + 1];
        for (int k = 0; k <= steps; k++) {
            alphas[k] = (float) k / steps;
            weights[k] = (k == 0 || k == steps ? 0.5f : 1f) / steps;
        }
        long[] colShape = new long[pathShape.length];
        java.util.Arrays.fill(colShape, 1);
        colShape[0] = steps + 1;
        Tensor path;
        Tensor delta;
        try (var ignored = Ember.noGrad()) {
            delta = x.sub(baseline);
            path = baseline.expand(pathShape).add(Tensor.of(alphas, colShape).mul(delta.expand(pathShape))).contiguous();
        }
        Tensor in = path.detach().requiresGrad(true);
        score(model, in, target).sum().backward();
        Tensor avgGrad;
        try (var ignored = Ember.noGrad()) {
            avgGrad = in.grad().mul(Tensor.of(weights, colShape)).sum(0, true);
        }
        model.zeroGrad();
        return delta.mul(avgGrad).detach();
    }
}
