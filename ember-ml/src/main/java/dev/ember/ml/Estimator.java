package dev.ember.ml;

import dev.ember.Tensor;

import java.nio.file.Path;

/**
 * What every estimator offers: fit on {@code X [n, features]} and {@code y [n]}, predict
 * {@code [m, features] -> [m]}, score, and save as JSON (restored by {@link ModelFile#load}).
 */
public interface Estimator {
    /** Learns from {@code X [n, features]} and {@code y [n]}; returns {@code this}. Unsupervised estimators ignore {@code y} (may be null). */
    Estimator fit(Tensor x, Tensor y);

    /** Predictions for {@code X [m, features]}: labels (INT64) or values (FLOAT64), {@code [m]}. */
    Tensor predict(Tensor x);

    /** The estimator's default score (accuracy for classifiers, R² for regressors). */
    double score(Tensor x, Tensor y);

    /** Writes the fitted state as JSON to {@code path}. */
    default void save(Path path) { ModelFile.save(this, path); }
}
