package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.init.Init;
import java.util.function.UnaryOperator;

/**
 * A fully connected layer {@code y = x W^T + b}: {@code [..., in] -> [..., out]}; weight {@code [out, in]}. An
 * {@linkplain #setAdapter adapter} adds its own function of the input to the output (LoRA's low-rank update).
 */
public final class Linear extends Module {
    private final int in, out;
    private final Parameter weight, bias;
    private UnaryOperator<Tensor> adapter;

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
        y = bias == null ? y : y.add(bias.value());
        return adapter == null ? y : y.add(adapter.apply(x));
    }

    /**
     * Adds {@code adapter(x)} ({@code [..., in] -> [..., out]}) to this layer's output from now on, as PEFT's LoRA layers
     * add {@code B A x} to a frozen base layer; null removes it. The adapter's parameters are not this layer's: they
     * stay out of its state dict, so the base model saves as before.
     */
    public void setAdapter(UnaryOperator<Tensor> adapter) { this.adapter = adapter; }

    /** The adapter added to this layer's output, or null. */
    public UnaryOperator<Tensor> adapter() { return adapter; }

    @Override
    public String toString() { return "Linear(in=" + in + ", out=" + out + ", bias=" + (bias != null) + ")"; }
}
