package dev.ember.nn;

import dev.ember.Tensor;

/** Elementwise {@code x >= 0 ? x : negativeSlope * x} (default slope 0.01); any shape. */
public final class LeakyReLU extends Module {
    private final double negativeSlope;

    /** A {@code LeakyReLU} with PyTorch's default arguments. */
    public LeakyReLU() { this(0.01); }

    /** A {@code LeakyReLU} with the given {@code negativeSlope}. */
    public LeakyReLU(double negativeSlope) { this.negativeSlope = negativeSlope; }

    @Override
    public Tensor forward(Tensor x) { return x.leakyRelu(negativeSlope); }
}
