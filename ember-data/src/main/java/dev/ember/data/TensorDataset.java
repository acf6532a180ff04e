package dev.ember.data;

import dev.ember.Tensor;

/** A dataset over in-memory tensors: inputs {@code [n, ...]} and targets {@code [n, ...]}. */
public final class TensorDataset implements BatchedDataset {
    private final Tensor inputs;
    private final Tensor targets;

    /** Examples {@code (inputs[i], targets[i])}; both must have the same first dimension. */
    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.dim() == 0 || targets.dim() == 0 || inputs.size(0) != targets.size(0))
            throw new IllegalArgumentException("TensorDataset: inputs " + java.util.Arrays.toString(inputs.shape()) + " and targets "
                    + java.util.Arrays.toString(targets.shape()) + " must have the same first dimension");
        this.inputs = inputs;
        this.targets = targets;
    }

    /** All inputs {@code [n, ...]}. */
    public Tensor inputs() { return inputs; }

    /** All targets {@code [n, ...]}. */
    public Tensor targets() { return targets; }

    @Override
    public int size() { return (int) inputs.size(0); }

    @Override
    public Example get(int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("TensorDataset: index " + index + " out of range for size " + size());
        return new Example(inputs.select(0, index), targets.select(0, index));
    }

    @Override
    public Batch getBatch(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Tensor index = Tensor.of(idx).to(inputs.device());
        return new Batch(inputs.indexSelect(0, index), targets.indexSelect(0, index.to(targets.device())));
    }
}
