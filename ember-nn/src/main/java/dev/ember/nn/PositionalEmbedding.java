package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.init.Init;

/**
 * Learned absolute positions (GPT-2's {@code wpe}): a table {@code weight [maxLength, dim]} whose row {@code p}
 * is added to the input at position {@code p}. {@code [..., T, dim] -> [..., T, dim]} for {@code T <= maxLength}.
 */
public final class PositionalEmbedding extends Module {
    private final int maxLength, dim;
    private final Parameter weight;

    /** A table of {@code maxLength} positions of width {@code dim}, from N(0, 1) as {@link Embedding}. */
    public PositionalEmbedding(int maxLength, int dim) {
        if (maxLength <= 0 || dim <= 0)
            throw new IllegalArgumentException("PositionalEmbedding: sizes must be positive, got maxLength=" + maxLength + ", dim=" + dim);
        this.maxLength = maxLength;
        this.dim = dim;
        this.weight = registerParameter("weight", Tensor.zeros(maxLength, dim));
        Init.normal(weight.value(), 0, 1);
    }

    /** The {@code weight} table. */
    public Tensor weight() { return weight.value(); }

    /** {@code x} plus the rows for positions {@code 0..T-1}. */
    @Override
    public Tensor forward(Tensor x) { return forward(x, 0); }

    /** {@code x [..., T, dim]} plus the rows for positions {@code start..start+T-1} (a cache's continuation). */
    public Tensor forward(Tensor x, int start) {
        if (x.dim() < 2 || x.size(-1) != dim)
            throw new IllegalArgumentException("PositionalEmbedding: expected input [..., T, " + dim + "], got " + java.util.Arrays.toString(x.shape()));
        long t = x.size(-2);
        if (start < 0 || start + t > maxLength)
            throw new IllegalArgumentException("PositionalEmbedding: positions " + start + ".." + (start + t - 1)
                    + " exceed the table's " + maxLength + " positions");
        return x.add(weight.value().narrow(0, start, t));
    }

    @Override
    public String toString() { return "PositionalEmbedding(" + maxLength + ", " + dim + ")"; }
}
