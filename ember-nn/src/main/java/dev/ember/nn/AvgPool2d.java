package dev.ember.nn;

import dev.ember.Tensor;

/** Average pooling (zero padding counted): {@code [n, c, h, w] -> [n, c, h', w']}; stride defaults to the kernel. */
public final class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;

    /** A {@code AvgPool2d} with the given {@code kernel}. */
    public AvgPool2d(int kernel) { this(kernel, kernel, 0); }

    /** A {@code AvgPool2d} with the given {@code kernel}, {@code stride}, {@code padding}. */
    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = new int[]{kernel, kernel};
        this.stride = new int[]{stride, stride};
        this.padding = new int[]{padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) { return x.avgPool2d(kernel, stride, padding); }
}
