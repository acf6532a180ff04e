package dev.ember.ml.selection;

import dev.ember.Tensor;

/** A trained model's prediction function: inputs {@code [batch, ...]} -> outputs {@code [batch, ...]} (scores or labels). */
@FunctionalInterface
public interface Predictor {
    /** The outputs for a batch of inputs, in the form the metrics expect. */
    Tensor predict(Tensor inputs);
}
