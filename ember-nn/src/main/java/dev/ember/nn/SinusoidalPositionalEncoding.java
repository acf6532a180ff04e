package dev.ember.nn;

import dev.ember.Tensor;

/**
 * The fixed positions of "Attention Is All You Need" (as PyTorch's transformer tutorial):
 * {@code pe[p, 2i] = sin(p / 10000^(2i/dim))}, {@code pe[p, 2i+1] = cos(p / 10000^(2i/dim))}, added to the
 * input: {@code [..., T, dim] -> [..., T, dim]}. The table is a buffer ({@code pe [maxLength, dim]}).
 */
public final class SinusoidalPositionalEncoding extends Module {
    private final int dim, maxLength;
    private final Parameter pe;

    /** The table for {@code maxLength} positions of width {@code dim}. */
    public SinusoidalPositionalEncoding(int dim, int maxLength) {
        if (maxLength <= 0 || dim <= 0)
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: sizes must be positive, got dim=" + dim + ", maxLength=" + maxLength);
        this.dim = dim;
        this.maxLength = maxLength;
        double[] table = new double[maxLength * dim];
        for (int p = 0; p < maxLength; p++)
            for (int i = 0; 2 * i < dim; i++) {
                double angle = p * Math.exp(2 * i * (-Math.log(10000.0) / dim));
                table[p * dim + 2 * i] = Math.sin(angle);
                if (2 * i + 1 < dim) table[p * dim + 2 * i + 1] = Math.cos(angle);
            }
        this.pe = registerBuffer("pe", Tensor.of(table, maxLength, dim).to(dev.ember.Ember.defaultDType()));
    }

    /** The table {@code [maxLength, dim]}. */
    public Tensor table() { return pe.value(); }

    @Override
    public Tensor forward(Tensor x) { return forward(x, 0); }

    /** {@code x [..., T, dim]} plus the encodings of positions {@code start..start+T-1}. */
    public Tensor forward(Tensor x, int start) {
        if (x.dim() < 2 || x.size(-1) != dim)
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: expected input [..., T, " + dim + "], got "
                    + java.util.Arrays.toString(x.shape()));
        long t = x.size(-2);
        if (start < 0 || start + t > maxLength)
            throw new IllegalArgumentException("SinusoidalPositionalEncoding: positions " + start + ".." + (start + t - 1)
                    + " exceed the table's " + maxLength + " positions");
        return x.add(pe.value().narrow(0, start, t).to(x.dtype()));
    }
}
