package dev.ember.optim;

/**
 * Linear warm-up then cosine decay, usually stepped per batch: for {@code t < warmup},
 * {@code lr = base * (startFactor + (1 - startFactor) t / warmup)}; then
 * {@code lr = etaMin + (base - etaMin) (1 + cos(pi (t - warmup) / (total - warmup))) / 2},
 * held at {@code etaMin} after {@code total}. PyTorch expresses it as a {@code LambdaLR}.
 */
public final class WarmupCosineLR extends LRScheduler {
    private final int warmup, total;
    private final double startFactor, etaMin;

    /** A {@code WarmupCosineLR} with the given {@code optimizer}, {@code warmup}, {@code total}, {@code startFactor}, {@code etaMin}. */
    public WarmupCosineLR(Optimizer optimizer, int warmup, int total, double startFactor, double etaMin) {
        if (warmup < 0 || total <= warmup)
            throw new IllegalArgumentException("WarmupCosineLR: need 0 <= warmup < total, got warmup=" + warmup + ", total=" + total);
        if (!(startFactor >= 0 && startFactor <= 1))
            throw new IllegalArgumentException("WarmupCosineLR: startFactor must be in [0, 1], got " + startFactor);
        this.warmup = warmup;
        this.total = total;
        this.startFactor = startFactor;
        this.etaMin = nonNegative("WarmupCosineLR", "etaMin", etaMin);
        super(optimizer);
        for (int i = 0; i < baseLrs.length; i++) optimizer.paramGroups().get(i).setLr(lrAt(i, 0));
    }

    /** A {@code WarmupCosineLR} with the given {@code optimizer}, {@code warmup}, {@code total}. */
    public WarmupCosineLR(Optimizer optimizer, int warmup, int total) { this(optimizer, warmup, total, 0, 0); }

    @Override
    protected double lrAt(int group, double currentLr) {
        double base = baseLrs[group];
        int t = lastEpoch;
        if (t < warmup) return base * (startFactor + (1 - startFactor) * t / warmup);
        if (t >= total) return etaMin;
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * (t - warmup) / (total - warmup))) / 2;
    }
}
