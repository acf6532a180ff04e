package dev.ember.optim;

/**
 * Cosine annealing from the base lr to {@code etaMin} over {@code tMax} epochs, as
 * {@code CosineAnnealingLR}, using PyTorch's recursive update so that the sequence (also past
 * {@code tMax}, where it rises again) matches it step for step.
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    /** A {@code CosineAnnealingLR} with the given {@code optimizer}, {@code tMax}, {@code etaMin}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        if (tMax <= 0) throw new IllegalArgumentException("CosineAnnealingLR: tMax must be positive, got " + tMax);
        this.tMax = tMax;
        this.etaMin = nonNegative("CosineAnnealingLR", "etaMin", etaMin);
        super(optimizer);
    }

    /** A {@code CosineAnnealingLR} with the given {@code optimizer}, {@code tMax}. */
    public CosineAnnealingLR(Optimizer optimizer, int tMax) { this(optimizer, tMax, 0); }

    @Override
    protected double lrAt(int group, double lr) {
        double base = baseLrs[group];
        if (lastEpoch == 0) return base;
        if ((lastEpoch - 1 - tMax) % (2 * tMax) == 0)
            return lr + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        return (1 + Math.cos(Math.PI * lastEpoch / tMax)) / (1 + Math.cos(Math.PI * (lastEpoch - 1) / tMax)) * (lr - etaMin) + etaMin;
    }
}
