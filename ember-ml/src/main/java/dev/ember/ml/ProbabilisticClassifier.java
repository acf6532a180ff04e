package dev.ember.ml;

import dev.ember.Tensor;

/** A classifier that estimates class probabilities. */
public interface ProbabilisticClassifier extends Classifier {
    /** Class probabilities {@code [m, features] -> [m, classes]} (FLOAT64, rows sum to 1), columns in {@link #classes()} order. */
    Tensor predictProba(Tensor x);
}
