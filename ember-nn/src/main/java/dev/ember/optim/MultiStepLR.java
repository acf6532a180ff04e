package dev.ember.optim;

import java.util.Arrays;

/** {@code lr = base * gamma^(number of milestones <= epoch)}, as {@code MultiStepLR}. */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    /** A {@code MultiStepLR} with the given {@code optimizer}, {@code milestones}, {@code gamma}. */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
    }

    @Override
    protected double lrAt(int group, double currentLr) {
        int passed = 0;
        for (int m : milestones) if (m <= lastEpoch) passed++;
        return baseLrs[group] * Math.pow(gamma, passed);
    }
}
