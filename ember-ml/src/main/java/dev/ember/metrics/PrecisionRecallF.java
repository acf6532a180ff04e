package dev.ember.metrics;

/**
 * Precision, recall and F-beta over a set of labels, averaged or per class.
 *
 * @param precision one value per class when not averaged, else a single value
 * @param recall    like {@code precision}
 * @param fScore    like {@code precision}
 * @param support   true count per class (per-class results only; empty when averaged)
 */
public record PrecisionRecallF(double[] precision, double[] recall, double[] fScore, long[] support) {}
