package dev.ember.ml.selection;

import dev.ember.data.Dataset;
import dev.ember.data.Example;

/**
 * Trains a fresh model on a training set, for {@link CrossValidation}: called once per fold,
 * it must not reuse state between calls.
 */
@FunctionalInterface
public interface ModelFactory {
    /** A model trained on {@code train}, ready to predict. */
    Predictor fit(Dataset<Example> train);
}
