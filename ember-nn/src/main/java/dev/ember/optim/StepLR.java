package dev.ember.optim;

/** {@code lr = base * gamma^floor(epoch / stepSize)}, as {@code StepLR} (gamma default 0.1). */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    /** A {@code StepLR} with the given {@code optimizer}, {@code stepSize}, {@code gamma}. */
    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        if (stepSize <= 0) throw new IllegalArgumentException("StepLR: stepSize must be positive, got " + stepSize);
        this.gamma = positive("StepLR", "gamma", gamma);
        this.stepSize = stepSize;
        super(optimizer);
    }

    /** A {@code StepLR} with the given {@code optimizer}, {@code stepSize}. */
    public StepLR(Optimizer optimizer, int stepSize) { this(optimizer, stepSize, 0.1); }

    @Override
    protected double lrAt(int group, double currentLr) { return baseLrs[group] * Math.pow(gamma, lastEpoch / stepSize); }
}
