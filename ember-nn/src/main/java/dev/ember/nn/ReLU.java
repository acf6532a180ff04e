package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Elementwise {@code relu}; any shape. */
public final class ReLU extends Module {
    @Override
    public Tensor forward(Tensor x) { return F.relu(x); }

    @Override
    public String toString() { return "ReLU()"; }
}
