package dev.ember.nn;

import dev.ember.Tensor;

/** Softmax along {@code dim}; keeps the shape. */
public final class Softmax extends Module {
    private final int dim;

    /** A {@code Softmax} with the given {@code dim}. */
    public Softmax(int dim) { this.dim = dim; }

    @Override
    public Tensor forward(Tensor x) { return x.softmax(dim); }
}
