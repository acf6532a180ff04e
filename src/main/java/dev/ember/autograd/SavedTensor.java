package dev.ember.autograd;

import dev.ember.Tensor;

/**
 * A tensor a gradient formula needs later, with the version it had when saved.
 * {@link #get()} fails, as PyTorch does, if the tensor was modified in place since.
 */
public final class SavedTensor {
    private final Tensor tensor;
    private final int version;
    private final String op;

    private SavedTensor(String op, Tensor tensor) {
        this.op = op;
        this.tensor = tensor;
        this.version = tensor.version();
    }

    /** Saves {@code tensor} for the backward of {@code op}. */
    public static SavedTensor of(String op, Tensor tensor) { return new SavedTensor(op, tensor); }

    public Tensor get() {
        if (tensor.version() != version)
            throw new IllegalStateException("backward: a tensor of shape " + java.util.Arrays.toString(tensor.shape())
                    + " needed for the gradient of " + op + " has been modified by an in-place operation: it is at version "
                    + tensor.version() + ", expected version " + version
                    + ". Do the in-place update after backward, or on a clone().");
        return tensor;
    }
}
