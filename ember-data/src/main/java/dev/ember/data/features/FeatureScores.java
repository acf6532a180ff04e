package dev.ember.data.features;

/**
 * Scores of each feature, higher = more related to the class.
 *
 * @param scores  one score per feature
 * @param pvalues one p-value per feature, or {@code null} when the score has none (mutual information)
 */
public record FeatureScores(double[] scores, double[] pvalues) {}
