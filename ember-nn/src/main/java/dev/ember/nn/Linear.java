package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.init.Init;

/** A fully connected layer {@code y = x W^T + b}: {@code [..., in] -> [..., out]}; weight {@code [out, in]}. */
public final class Linear extends Module {
    private final int in, out;
    private final Parameter weight, bias;

    /** A layer with bias, initialised as PyTorch's. */
    public Linear(int in, int out) { this(in, out, true); }

    /** A {@code Linear} with the given {@code in}, {@code out}, {@code bias}. */
    public Linear(int in, int out, boolean bias) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Tensor.zeros(out, in));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
        Init.defaultLayerInit(weight.value(), bias ? this.bias.value() : null);
    }

    /** The {@code weight} tensor. */
    public Tensor weight() { return weight.value(); }

    /** The bias, or null. */
    public Tensor bias() { return bias == null ? null : bias.value(); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != in)
            throw new IllegalArgumentException("Linear(" + in + ", " + out + "): expected input [..., " + in + "], got "
                    + java.util.Arrays.toString(x.shape()));
        Tensor y = x.matmul(weight.value().t());
        return bias == null ? y : y.add(bias.value());
    }

    @Override
    public String toString() { return "Linear(in=" + in + ", out=" + out + ", bias=" + (bias != null) + ")"; }
}
