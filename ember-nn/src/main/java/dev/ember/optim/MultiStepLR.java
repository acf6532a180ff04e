package dev.ember.optim;

import java.util.Arrays;

/** {@code lr = base * gamma^(number of milestones <= epoch)}, as {@code MultiStepLR}. */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    /** A {@code MultiStepLR} with the given {@code optimizer}, {@code milestones}, {@code gamma}. */
    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        for (int m : milestones)
            if (m < 0) throw new IllegalArgumentException("MultiStepLR: milestones must be >= 0, got " + Arrays.toString(milestones));
        this.gamma = positive("MultiStepLR", "gamma", gamma);
        int[] sorted = milestones.clone();
        Arrays.sort(sorted);
        this.milestones = sorted;
        super(optimizer);
    }

    @Override
    protected double lrAt(int group, double currentLr) {
        int passed = 0;
        for (int m : milestones) if (m <= lastEpoch) passed++;
        return baseLrs[group] * Math.pow(gamma, passed);
    }
}
