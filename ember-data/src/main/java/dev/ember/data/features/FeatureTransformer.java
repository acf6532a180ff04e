package dev.ember.data.features;

import dev.ember.Tensor;

/**
 * A numeric feature transform fitted on training data and applied to any data, as a
 * scikit-learn transformer: {@code fit} learns state from {@code [n, features]}, {@code transform}
 * maps {@code [m, features] -> [m, outFeatures]}. Outputs are float64 when the input is, else float32.
 */
public interface FeatureTransformer {
    /** Learns this transform's state from {@code x [n, features]}; returns {@code this}. */
    FeatureTransformer fit(Tensor x);

    /** Applies the fitted transform: {@code [m, features] -> [m, outFeatures]}. */
    Tensor transform(Tensor x);

    /** {@code fit(x)} then {@code transform(x)}. */
    default Tensor fitTransform(Tensor x) { return fit(x).transform(x); }
}
