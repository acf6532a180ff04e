package dev.ember.metrics;

import dev.ember.Tensor;

/**
 * Streaming precision, recall or F-beta with an {@link Average}. {@code output}: scores
 * {@code [batch, classes]} (arg-max taken) or labels {@code [batch]}; {@code target}: labels
 * {@code [batch]}. Zero division as in {@link Classification}.
 */
public final class FBetaScore implements Metric {
    /** Which of the three numbers {@link #compute()} returns. */
    public enum Kind { PRECISION, RECALL, F_SCORE }

    private final Kind kind;
    private final Average average;
    private final double beta, zeroDivision;
    private final Collected seen = new Collected();

    /** A metric returning {@code kind} averaged by {@code average}, with F-beta's {@code beta} and a zero-division value (0 or 1). */
    public FBetaScore(Kind kind, Average average, double beta, double zeroDivision) {
        this.kind = kind;
        this.average = average;
        this.beta = beta;
        this.zeroDivision = zeroDivision;
    }

    /** F1 with the given average and zero division 0. */
    public static FBetaScore f1(Average average) { return new FBetaScore(Kind.F_SCORE, average, 1, 0); }

    /** Precision with the given average and zero division 0. */
    public static FBetaScore precision(Average average) { return new FBetaScore(Kind.PRECISION, average, 1, 0); }

    /** Recall with the given average and zero division 0. */
    public static FBetaScore recall(Average average) { return new FBetaScore(Kind.RECALL, average, 1, 0); }

    @Override
    public String name() {
        String base = switch (kind) { case PRECISION -> "precision"; case RECALL -> "recall"; case F_SCORE -> beta == 1 ? "f1" : "f" + beta; };
        return base + "_" + average.name().toLowerCase();
    }

    @Override
    public void update(Tensor output, Tensor target) {
        long[] p = Labels.predicted(name(), output), t = Labels.of(name(), target);
        Labels.sameLength(name(), t.length, p.length);
        for (int i = 0; i < t.length; i++) seen.addLabels(t[i], p[i]);
    }

    @Override
    public double compute() {
        if (seen.size() == 0) return Double.NaN;
        PrecisionRecallF r = Classification.precisionRecallF(seen.labels(), seen.predicted(), average, beta, zeroDivision);
        return switch (kind) { case PRECISION -> r.precision()[0]; case RECALL -> r.recall()[0]; case F_SCORE -> r.fScore()[0]; };
    }

    @Override
    public void reset() { seen.clear(); }
}
