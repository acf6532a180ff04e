package dev.ember.nn;

import dev.ember.Tensor;

/** Max pooling: {@code [n, c, h, w] -> [n, c, h', w']}; the stride defaults to the kernel size. */
public final class MaxPool2d extends Module {
    private final int[] kernel, stride, padding;

    /** A {@code MaxPool2d} with the given {@code kernel}. */
    public MaxPool2d(int kernel) { this(kernel, kernel, 0); }

    /** A {@code MaxPool2d} with the given {@code kernel}, {@code stride}, {@code padding}. */
    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = new int[]{kernel, kernel};
        this.stride = new int[]{stride, stride};
        this.padding = new int[]{padding, padding};
    }

    @Override
    public Tensor forward(Tensor x) { return x.maxPool2d(kernel, stride, padding); }

    @Override
    public String toString() { return "MaxPool2d(kernel=" + kernel[0] + ", stride=" + stride[0] + ", padding=" + padding[0] + ")"; }
}
