package dev.ember.ml;

/** Split quality measure of a CART tree: Gini impurity or entropy (classification), squared error (regression). */
public enum Criterion {
    /** {@code 1 - Σ p_c²}. */
    GINI,
    /** {@code -Σ p_c log₂ p_c} (base 2, as scikit-learn). */
    ENTROPY,
    /** Variance of the targets (mean squared error around the node mean). */
    SQUARED_ERROR;

    boolean forClassification() { return this != SQUARED_ERROR; }
}
