package dev.ember.metrics;

import dev.ember.Tensor;

/**
 * A streaming metric: fed batch by batch with {@link #update}, read with {@link #compute}.
 * The {@code Trainer} uses it for validation; each implementation documents what
 * {@code output} must hold (logits or scores {@code [batch, classes]}, probabilities, or values).
 */
public interface Metric {
    /** Short name used in logs and progress lines, e.g. {@code "accuracy"}. */
    String name();

    /** Adds one batch: model output and targets. */
    void update(Tensor output, Tensor target);

    /** The metric over everything seen since the last {@link #reset()}. */
    double compute();

    /** Forgets everything seen. */
    void reset();
}
