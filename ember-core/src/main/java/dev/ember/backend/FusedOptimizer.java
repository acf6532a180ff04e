package dev.ember.backend;

/**
 * Optional capability ({@link Backend#capability}): optimizer updates in one pass over each parameter,
 * with no temporaries. Operands are contiguous, of one floating dtype; calls run under no-grad. Without
 * it the tensor layer composes the same arithmetic, in the same order, from elementwise primitives.
 */
public interface FusedOptimizer {

    /**
     * One SGD step as {@code torch.optim.SGD}: {@code g = grad + wd * p}; with momentum,
     * {@code buf = firstStep ? g : momentum * buf + (1 - dampening) * g}, {@code g = nesterov ? g + momentum * buf : buf};
     * {@code p -= lr * g}. {@code buf} is null without momentum.
     */
    void sgdStep(Strided param, Strided grad, Strided buf, double lr, double momentum, double dampening,
                 double weightDecay, boolean nesterov, boolean firstStep);

    /**
     * One Adam/AdamW step as {@code torch.optim.Adam(W)} with bias correction for {@code step} (1-based):
     * {@code p *= decay; g += l2 * p; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g g;
     * p -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)}, where {@code decoupled} (AdamW) sets
     * {@code decay = 1 - lr * wd, l2 = 0} and Adam sets {@code decay = 1, l2 = wd}.
     */
    void adamStep(Strided param, Strided grad, Strided expAvg, Strided expAvgSq, double lr, double beta1,
                  double beta2, double eps, double weightDecay, boolean decoupled, long step);
}
