package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Elementwise {@code tanh}; any shape. */
public final class Tanh extends Module {
    @Override
    public Tensor forward(Tensor x) { return x.tanh(); }

    @Override
    public String toString() { return "Tanh()"; }
}
