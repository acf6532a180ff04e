package dev.ember.nn;

import dev.ember.Tensor;

/**
 * A long short-term memory layer as PyTorch's {@code nn.LSTM}: gates {@code i, f, g, o} from
 * {@code W_ih x + b_ih + W_hh h + b_hh}, {@code c' = f c + i g}, {@code h' = o tanh(c')}. Stacking, directions,
 * batch-first layout, lengths and parameter names are described in {@link RNNBase}.
 */
public final class LSTM extends RNNBase {
    /** One layer, time-major. */
    public LSTM(int inputSize, int hiddenSize) { this(inputSize, hiddenSize, options()); }

    /** With the given options. */
    public LSTM(int inputSize, int hiddenSize, Options options) { super(Mode.LSTM, inputSize, hiddenSize, options); }

    /** The output and final hidden and cell states; {@code h0}, {@code c0} and {@code lengths} may be null. */
    public Output forward(Tensor input, Tensor h0, Tensor c0, long[] lengths) { return run(input, h0, c0, lengths); }
}
