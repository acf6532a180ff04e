package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.init.Init;

/** A lookup table: integer indices {@code [...]} -> vectors {@code [..., dim]}; weight {@code [count, dim]} from N(0, 1). */
public final class Embedding extends Module {
    private final int count, dim;
    private final Parameter weight;

    /** A {@code Embedding} with the given {@code count}, {@code dim}. */
    public Embedding(int count, int dim) {
        this.count = count;
        this.dim = dim;
        this.weight = registerParameter("weight", Tensor.zeros(count, dim));
        Init.normal(weight.value(), 0, 1);
    }

    /** The {@code weight} tensor. */
    public Tensor weight() { return weight.value(); }

    @Override
    public Tensor forward(Tensor indices) {
        if (indices.dtype().isFloatingPoint())
            throw new IllegalArgumentException("Embedding: indices must be an integer tensor, got " + indices.dtype());
        long[] shape = indices.shape();
        long[] out = java.util.Arrays.copyOf(shape, shape.length + 1);
        out[shape.length] = dim;
        return weight.value().indexSelect(0, indices.reshape(-1)).reshape(out);
    }

    @Override
    public String toString() { return "Embedding(" + count + ", " + dim + ")"; }
}
