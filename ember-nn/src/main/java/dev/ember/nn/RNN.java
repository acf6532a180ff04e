package dev.ember.nn;

import dev.ember.Tensor;

/**
 * An Elman recurrent layer, {@code h' = tanh(W_ih x + b_ih + W_hh h + b_hh)} (or ReLU), as PyTorch's {@code nn.RNN};
 * stacking, directions, batch-first layout, lengths and parameter names are described in {@link RNNBase}.
 */
public final class RNN extends RNNBase {
    /** One tanh layer, time-major. */
    public RNN(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, "tanh", options()); }

    /** With {@code nonlinearity} {@code "tanh"} or {@code "relu"} and the given options. */
    public RNN(int inputSize, int hiddenSize, String nonlinearity, Options options) {
        super(switch (nonlinearity) {
            case "tanh" -> Mode.RNN_TANH;
            case "relu" -> Mode.RNN_RELU;
            default -> throw new IllegalArgumentException("RNN: nonlinearity must be 'tanh' or 'relu', got '" + nonlinearity + "'");
        }, inputSize, hiddenSize, options);
    }

    /** The output and final hidden state; {@code h0} and {@code lengths} may be null (see {@link RNNBase}). */
    public Output forward(Tensor input, Tensor h0, long[] lengths) { return run(input, h0, null, lengths); }
}
