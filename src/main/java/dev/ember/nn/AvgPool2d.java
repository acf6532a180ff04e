package dev.ember.nn;

import dev.ember.Tensor;

/** Average pooling (zero padding counted): {@code [n, c, h, w] -> [n, c, h', w']}; stride defaults to the kernel. */
public final class AvgPool2d extends Module {
    private final int[] kernel, stride, padding;

    public AvgPool2d(int kernel) { this(kernel, kernel, 0); }

    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = new int[]{kernel, kernel};
        this.stride = new int[]{stride, stride};
        this.padding = new int[]{padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) { return x.avgPool2d(kernel, stride, padding); }
}
