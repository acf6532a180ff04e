package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Elementwise {@code sigmoid}; any shape. */
public final class Sigmoid extends Module {
    @Override
    public Tensor forward(Tensor x) { return x.sigmoid(); }

    @Override
    public String toString() { return "Sigmoid()"; }
}
