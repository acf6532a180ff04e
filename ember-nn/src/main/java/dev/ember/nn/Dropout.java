package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;

/** Zeroes each element with probability {@code p} in training and scales the rest by {@code 1/(1-p)}; identity in eval. Any shape. */
public final class Dropout extends Module {
    private final double p;

    /** A {@code Dropout} with PyTorch's default arguments. */
    public Dropout() { this(0.5); }

    /** A {@code Dropout} with the given {@code p}. */
    public Dropout(double p) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("Dropout: p must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) { return F.dropout(x, p, isTraining()); }
}
