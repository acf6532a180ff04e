/**
 * Classical machine learning with scikit-learn's semantics, on {@link dev.ember.Tensor}s:
 * features {@code X [n, features]} (any float dtype), targets {@code y [n]} (integral labels for
 * classifiers, values for regressors). Every estimator implements {@link dev.ember.ml.Estimator}
 * ({@code fit}, {@code predict}, {@code score}, {@code save}); {@link dev.ember.ml.ModelFile#load}
 * restores any of them. Computation is float64 on the host.
 */
package dev.ember.ml;
