package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Elementwise GELU, exact ({@code "none"}, default) or the tanh approximation ({@code "tanh"}); any shape. */
public final class GELU extends Module {
    private final String approximate;

    /** A {@code GELU} with PyTorch's default arguments. */
    public GELU() { this("none"); }

    /** A {@code GELU} with the given {@code approximate}. */
    public GELU(String approximate) {
        if (!approximate.equals("none") && !approximate.equals("tanh"))
            throw new IllegalArgumentException("GELU: approximate must be 'none' or 'tanh', got '" + approximate + "'");
        this.approximate = approximate;
    }

    @Override
    public Tensor forward(Tensor x) { return F.gelu(x, approximate); }
}
