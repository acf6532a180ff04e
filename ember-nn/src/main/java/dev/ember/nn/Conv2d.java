package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.init.Init;

/**
 * 2-D convolution: {@code [n, in, h, w] -> [n, out, h', w']} with weight
 * {@code [out, in / groups, kh, kw]} and bias {@code [out]}, initialised as PyTorch's.
 */
public final class Conv2d extends Module {
    private final int in, out;
    private final int[] kernel, stride, padding, dilation;
    private final int groups;
    private final Parameter weight, bias;

    /** Square kernel, stride 1, no padding, with bias. */
    public Conv2d(int in, int out, int kernel) { this(in, out, kernel, 1, 0); }

    /** Square kernel with equal stride and padding along both axes, with bias. */
    public Conv2d(int in, int out, int kernel, int stride, int padding) {
        this(in, out, new int[]{kernel, kernel}, new int[]{stride, stride}, new int[]{padding, padding}, new int[]{1, 1}, 1, true);
    }

    /** The general form, as {@code torch.nn.Conv2d}. */
    public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
        if (groups <= 0 || in % groups != 0 || out % groups != 0)
            throw new IllegalArgumentException("Conv2d: in=" + in + " and out=" + out + " must be divisible by groups=" + groups);
        this.in = in;
        this.out = out;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        this.weight = registerParameter("weight", Tensor.zeros(out, in / groups, kernel[0], kernel[1]));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
        Init.defaultLayerInit(weight.value(), bias ? this.bias.value() : null);
    }

    /** The {@code weight} tensor. */
    public Tensor weight() { return weight.value(); }

    /** The {@code bias} tensor (null without one). */
    public Tensor bias() { return bias == null ? null : bias.value(); }

    @Override
    public Tensor forward(Tensor x) {
        return x.conv2d(weight.value(), bias == null ? null : bias.value(), stride, padding, dilation, groups);
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + ", " + out + ", kernel=" + java.util.Arrays.toString(kernel) + ", stride=" + java.util.Arrays.toString(stride)
                + ", padding=" + java.util.Arrays.toString(padding) + ")";
    }
}
