package dev.ember.ml;

import dev.ember.Tensor;
import dev.ember.metrics.Regression;

/** An estimator of real values; {@link #score} is R². */
public interface Regressor extends Estimator {
    @Override
    default double score(Tensor x, Tensor y) { return Regression.r2(y, predict(x)); }
}
