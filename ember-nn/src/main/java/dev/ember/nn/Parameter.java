package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.TensorScope;

/**
 * A named slot of a {@link Module} holding a tensor: a learnable parameter (its tensor
 * requires grad) or a buffer (running statistics; no grad). The slot outlives the tensor:
 * {@link Module#to} puts a moved tensor into the same slot, so modules read
 * {@link #value()} at each forward rather than keeping the tensor itself.
 */
public final class Parameter {
    private Tensor value;
    private final boolean learnable;

    /** A learnable parameter over {@code value} (made to require grad). */
    public Parameter(Tensor value) { this(value, true); }

    Parameter(Tensor value, boolean learnable) {
        this.learnable = learnable;
        set(value);
    }

    /** The current tensor. */
    public Tensor value() { return value; }

    /** Whether this slot is a learnable parameter (as opposed to a buffer). */
    public boolean learnable() { return learnable; }

    /**
     * Replaces the tensor (a learnable slot makes it a grad-requiring leaf). The tensor
     * {@linkplain TensorScope#escape escapes} every scope: a module's state outlives the step that made it.
     */
    public void set(Tensor tensor) {
        if (tensor == null) throw new IllegalArgumentException("Parameter: tensor must not be null");
        this.value = TensorScope.escape(learnable ? tensor.detach().requiresGrad(true) : tensor);
    }
}
