package dev.ember.nn;

import dev.ember.Tensor;

/** Flattens dims {@code startDim..endDim} (default 1..-1): {@code [n, c, h, w] -> [n, c*h*w]}. */
public final class Flatten extends Module {
    private final int startDim, endDim;

    /** A {@code Flatten} with PyTorch's default arguments. */
    public Flatten() { this(1, -1); }

    /** A {@code Flatten} with the given {@code startDim}, {@code endDim}. */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) { return x.flatten(startDim, endDim); }
}
