package dev.ember.llm.eval;

import dev.ember.Tensor;
import dev.ember.llm.tune.DpoLoss;
import dev.ember.metrics.Metric;

/**
 * DPO's running reward statistics over the pairs seen ({@link DpoLoss#margins}): the mean reward margin
 * {@code beta * ((pc - rc) - (pr - rr))} and the reward accuracy, the share of pairs whose chosen answer gets the
 * larger implicit reward. {@link #margin()} and {@link #accuracy()} are the two Trainer metrics.
 */
public final class RewardMetrics {
    private final double beta;
    private double marginSum;
    private long pairs, correct;

    /** Statistics for a loss of temperature {@code beta}. */
    public RewardMetrics(double beta) { this.beta = beta; }

    /** Adds a batch of DPO logits {@code [batch, 4, T, vocab]} and targets {@code [batch, 2, T]}. */
    public void update(Tensor logits, Tensor targets) {
        double[] m = DpoLoss.margins(logits, targets, beta).toDoubleArray();
        for (double x : m) {
            marginSum += x;
            if (x > 0) correct++;
        }
        pairs += m.length;
    }

    /** Mean reward margin so far. */
    public double meanMargin() { return pairs == 0 ? Double.NaN : marginSum / pairs; }

    /** Reward accuracy so far. */
    public double rewardAccuracy() { return pairs == 0 ? Double.NaN : (double) correct / pairs; }

    /** Forgets what was seen. */
    public void reset() {
        marginSum = 0;
        pairs = correct = 0;
    }

    /** A Trainer metric {@code reward_margin} over a fresh copy of these statistics. */
    public static Metric margin(double beta) { return new View(new RewardMetrics(beta), true); }

    /** A Trainer metric {@code reward_accuracy} over a fresh copy of these statistics. */
    public static Metric accuracy(double beta) { return new View(new RewardMetrics(beta), false); }

    private record View(RewardMetrics stats, boolean margin) implements Metric {
        @Override
        public String name() { return margin ? "reward_margin" : "reward_accuracy"; }

        @Override
        public void update(Tensor output, Tensor target) { stats.update(output, target); }

        @Override
        public double compute() { return margin ? stats.meanMargin() : stats.rewardAccuracy(); }

        @Override
        public void reset() { stats.reset(); }
    }
}
