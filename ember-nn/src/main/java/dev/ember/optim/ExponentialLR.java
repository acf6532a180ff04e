package dev.ember.optim;

/** {@code lr = base * gamma^epoch}, as {@code ExponentialLR}. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    /** A {@code ExponentialLR} with the given {@code optimizer}, {@code gamma}. */
    public ExponentialLR(Optimizer optimizer, double gamma) {
        this.gamma = positive("ExponentialLR", "gamma", gamma);
        super(optimizer);
    }

    @Override
    protected double lrAt(int group, double currentLr) { return baseLrs[group] * Math.pow(gamma, lastEpoch); }
}
