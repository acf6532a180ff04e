package dev.ember.nn;

import dev.ember.Tensor;

/**
 * A gated recurrent unit layer as PyTorch's {@code nn.GRU}: {@code r = sigmoid(.)}, {@code z = sigmoid(.)},
 * {@code n = tanh(W_in x + b_in + r (W_hn h + b_hn))}, {@code h' = (1 - z) n + z h}. Stacking, directions,
 * batch-first layout, lengths and parameter names are described in {@link RNNBase}.
 */
public final class GRU extends RNNBase {
    /** One layer, time-major. */
    public GRU(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, options()); }

    /** With the given options. */
    public GRU(int inputSize, int hiddenSize, Options options) { super(Mode.GRU, inputSize, hiddenSize, options); }

    /** The output and final hidden state; {@code h0} and {@code lengths} may be null. */
    public Output forward(Tensor input, Tensor h0, long[] lengths) { return run(input, h0, null, lengths); }
}
