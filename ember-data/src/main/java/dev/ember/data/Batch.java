package dev.ember.data;

import dev.ember.Device;
import dev.ember.Tensor;

/** A batch: inputs {@code [batch, ...]} and targets {@code [batch, ...]}. */
public record Batch(Tensor inputs, Tensor targets) {
    /** Number of examples in the batch. */
    public int size() { return (int) inputs.size(0); }

    /** The batch on {@code device}. */
    public Batch to(Device device) { return new Batch(inputs.to(device), targets.to(device)); }
}
