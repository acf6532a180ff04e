package dev.ember.ml;

import dev.ember.Tensor;
import dev.ember.metrics.Classification;

/** An estimator of integral class labels; {@link #score} is accuracy. */
public interface Classifier extends Estimator {
    /** The class labels seen in fit, ascending; column {@code c} of class scores belongs to {@code classes()[c]}. */
    long[] classes();

    @Override
    default double score(Tensor x, Tensor y) { return Classification.accuracy(y, predict(x)); }
}
