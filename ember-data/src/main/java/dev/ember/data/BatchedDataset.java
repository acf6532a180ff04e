package dev.ember.data;

/**
 * A dataset that can assemble a whole batch at once (for in-memory tensors, one
 * {@code indexSelect} instead of stacking examples one by one). {@link DataLoader} uses it when present.
 */
public interface BatchedDataset extends Dataset<Example> {
    /** The examples at {@code indices}, in that order, as one batch: inputs {@code [indices.length, ...]}. */
    Batch getBatch(int[] indices);
}
