package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Elementwise SiLU (swish), {@code x * sigmoid(x)}; any shape. */
public final class SiLU extends Module {
    /** A {@code SiLU}. */
    public SiLU() {}

    @Override
    public Tensor forward(Tensor x) { return F.silu(x); }
}
