package dev.ember.nn;

import dev.ember.Tensor;
import dev.ember.nn.functional.F;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recurrent layers {@link RNN}, {@link LSTM} and {@link GRU}, as PyTorch's {@code nn.RNNBase}: stacked layers,
 * optionally bidirectional, time-major ({@code [T, batch, input]}) or batch-first ({@code [batch, T, input]}) input,
 * dropout between layers, and sequences of different lengths.
 *
 * <p>Parameters carry PyTorch's names and gate orders, so state dicts move between the two:
 * {@code weight_ih_l{k}[_reverse] [gates * hidden, in]}, {@code weight_hh_l{k}[_reverse] [gates * hidden, hidden]},
 * {@code bias_ih_l{k}[_reverse]}, {@code bias_hh_l{k}[_reverse]}; LSTM gates {@code (i, f, g, o)}, GRU gates
 * {@code (r, z, n)}; all from {@code U(-1/sqrt(hidden), 1/sqrt(hidden))}.
 *
 * <p>Variable lengths: pass {@code lengths} (one per sequence, each in {@code [1, T]}) for a padded batch. Each
 * sequence then behaves as if it were alone, as with PyTorch's {@code pack_padded_sequence}: steps past its length
 * leave its state unchanged and output zeros, the reverse direction starts at its last real step, and {@code hn}
 * ({@code cn}) holds the state after its last real step.
 *
 * <p>The input projection of every step is one matrix product over the whole sequence; each step then multiplies
 * the hidden state by {@code weight_hh}.
 */
public abstract sealed class RNNBase extends Module permits RNN, LSTM, GRU {
    /** The cell a layer runs. */
    enum Mode {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);
        final int gates;
        Mode(int gates) { this.gates = gates; }
    }

    /** What {@code forward} returns: the output sequence and the final hidden (and, for LSTM, cell) states. */
    public record Output(Tensor output, Tensor hn, Tensor cn) {}

    /** Options shared by the recurrent layers, with PyTorch's defaults. */
    public static final class Options {
        int numLayers = 1;
        boolean bias = true, batchFirst, bidirectional;
        double dropout;

        /** Number of stacked layers (default 1). */
        public Options numLayers(int n) { this.numLayers = n; return this; }

        /** Whether the layers have biases (default true). */
        public Options bias(boolean bias) { this.bias = bias; return this; }

        /** Input and output as {@code [batch, T, features]} (default false: {@code [T, batch, features]}). */
        public Options batchFirst(boolean batchFirst) { this.batchFirst = batchFirst; return this; }

        /** A second layer per level that reads the sequence backwards (default false). */
        public Options bidirectional(boolean bidirectional) { this.bidirectional = bidirectional; return this; }

        /** Dropout on each layer's output except the last, in training (default 0). */
        public Options dropout(double p) { this.dropout = p; return this; }
    }

    /** Default options: one layer, biases, time-major, one direction, no dropout. */
    public static Options options() { return new Options(); }

    private final Mode mode;
    private final int inputSize, hiddenSize, numLayers, directions;
    private final boolean bias, batchFirst;
    private final double dropout;
    private final Parameter[][] wIh, wHh, bIh, bHh; // [layer][direction]

    RNNBase(Mode mode, int inputSize, int hiddenSize, Options o) {
        String name = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new IllegalArgumentException(name + ": sizes must be positive, got inputSize=" + inputSize + ", hiddenSize=" + hiddenSize);
        if (o.numLayers <= 0) throw new IllegalArgumentException(name + ": numLayers must be positive, got " + o.numLayers);
        if (o.dropout < 0 || o.dropout > 1) throw new IllegalArgumentException(name + ": dropout must be in [0, 1], got " + o.dropout);
        this.mode = mode;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = o.numLayers;
        this.directions = o.bidirectional ? 2 : 1;
        this.bias = o.bias;
        this.batchFirst = o.batchFirst;
        this.dropout = o.dropout;
        wIh = new Parameter[numLayers][directions];
        wHh = new Parameter[numLayers][directions];
        bIh = new Parameter[numLayers][directions];
        bHh = new Parameter[numLayers][directions];
        int g = mode.gates * hiddenSize;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int l = 0; l < numLayers; l++)
            for (int d = 0; d < directions; d++) {
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                int in = l == 0 ? inputSize : hiddenSize * directions;
                wIh[l][d] = registerParameter("weight_ih" + sfx, Tensor.zeros(g, in).uniformInPlace(-bound, bound));
                wHh[l][d] = registerParameter("weight_hh" + sfx, Tensor.zeros(g, hiddenSize).uniformInPlace(-bound, bound));
                if (bias) {
                    bIh[l][d] = registerParameter("bias_ih" + sfx, Tensor.zeros(g).uniformInPlace(-bound, bound));
                    bHh[l][d] = registerParameter("bias_hh" + sfx, Tensor.zeros(g).uniformInPlace(-bound, bound));
                }
            }
    }

    /** The output sequence for a zero initial state and full-length sequences. */
    @Override
    public Tensor forward(Tensor input) { return run(input, null, null, null).output(); }

    /**
     * Runs the layers. {@code input} is {@code [T, batch, inputSize]} ({@code [batch, T, inputSize]} when batch-first, or
     * {@code [T, inputSize]} unbatched); {@code h0} ({@code c0} for LSTM) is {@code [numLayers * directions, batch, hidden]}
     * or null for zeros; {@code lengths} is null or one length per sequence. The output is
     * {@code [T, batch, directions * hidden]} (batch-first: {@code [batch, T, ...]}), with zeros past each sequence's length.
     */
    Output run(Tensor input, Tensor h0, Tensor c0, long[] lengths) {
        String name = getClass().getSimpleName();
        boolean unbatched = input.dim() == 2;
        if (input.dim() != 2 && input.dim() != 3)
            throw new IllegalArgumentException(name + ": expected input [T, batch, " + inputSize + "] (or batch-first, or unbatched [T, "
                    + inputSize + "]), got " + Arrays.toString(input.shape()));
        Tensor x = unbatched ? input.unsqueeze(1) : batchFirst ? input.transpose(0, 1) : input;
        if (x.size(2) != inputSize)
            throw new IllegalArgumentException(name + ": input has " + x.size(2) + " features, expected inputSize " + inputSize
                    + " (input " + Arrays.toString(input.shape()) + ")");
        int steps = (int) x.size(0), batch = (int) x.size(1);
        long[] stateShape = {(long) numLayers * directions, batch, hiddenSize};
        h0 = initialState(name, "h0", h0, stateShape, unbatched, x);
        c0 = mode == Mode.LSTM ? initialState(name, "c0", c0, stateShape, unbatched, x) : null;
        Tensor[] active = lengths == null ? null : activeMasks(name, lengths, batch, steps, x);

        List<Tensor> hn = new ArrayList<>(), cn = new ArrayList<>();
        Tensor layerIn = x;
        for (int l = 0; l < numLayers; l++) {
            Tensor[] dirOut = new Tensor[directions];
            for (int d = 0; d < directions; d++) {
                int idx = l * directions + d;
                Tensor[] r = direction(l, d, layerIn, h0.select(0, idx), c0 == null ? null : c0.select(0, idx), active);
                dirOut[d] = r[0];
                hn.add(r[1]);
                if (r[2] != null) cn.add(r[2]);
            }
            layerIn = directions == 1 ? dirOut[0] : Tensor.cat(2, dirOut);
            if (l < numLayers - 1 && dropout > 0) layerIn = F.dropout(layerIn, dropout, isTraining());
        }
        Tensor out = layerIn, h = Tensor.stack(hn, 0), c = cn.isEmpty() ? null : Tensor.stack(cn, 0);
        if (unbatched) {
            out = out.squeeze(1);
            h = h.squeeze(1);
            if (c != null) c = c.squeeze(1);
        } else if (batchFirst) {
            out = out.transpose(0, 1);
        }
        return new Output(out, h, c);
    }

    private static Tensor initialState(String name, String what, Tensor s, long[] shape, boolean unbatched, Tensor x) {
        if (s == null) return Tensor.zeros(x.dtype(), shape).to(x.device());
        Tensor t = unbatched && s.dim() == 2 ? s.unsqueeze(1) : s;
        if (!Arrays.equals(t.shape(), shape))
            throw new IllegalArgumentException(name + ": " + what + " must be " + Arrays.toString(unbatched ? new long[]{shape[0], shape[2]} : shape)
                    + " ([numLayers * directions, batch, hidden]), got " + Arrays.toString(s.shape()));
        return t;
    }

    /** For each step, a BOOL {@code [batch, 1]}: whether the step lies within each sequence's length. */
    private static Tensor[] activeMasks(String name, long[] lengths, int batch, int steps, Tensor x) {
        if (lengths.length != batch)
            throw new IllegalArgumentException(name + ": lengths has " + lengths.length + " entries for a batch of " + batch);
        for (long n : lengths)
            if (n < 1 || n > steps)
                throw new IllegalArgumentException(name + ": every length must be in [1, " + steps + "] (the padded length), got " + n);
        Tensor[] out = new Tensor[steps];
        boolean[] m = new boolean[batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) m[b] = t < lengths[b];
            out[t] = Tensor.of(m, batch, 1).to(x.device());
        }
        return out;
    }

    /** One direction of one layer over {@code x [T, batch, in]}: {output [T, batch, hidden], h_n, c_n}. */
    private Tensor[] direction(int l, int d, Tensor x, Tensor h, Tensor c, Tensor[] active) {
        int steps = (int) x.size(0), batch = (int) x.size(1), hid = hiddenSize;
        Tensor wi = wIh[l][d].value(), wh = wHh[l][d].value().t();
        Tensor bi = bias ? bIh[l][d].value() : null, bh = bias ? bHh[l][d].value() : null;
        Tensor xp = F.linear(x.reshape((long) steps * batch, x.size(2)), wi, bi).reshape(steps, batch, (long) mode.gates * hid);
        Tensor[] outs = new Tensor[steps];
        Tensor zeros = active == null ? null : Tensor.zeros(x.dtype(), batch, hid).to(x.device());
        for (int i = 0; i < steps; i++) {
            int t = d == 0 ? i : steps - 1 - i;
            Tensor gi = xp.select(0, t), gh = h.matmul(wh);
            if (bh != null) gh = gh.add(bh);
            Tensor hNew, cNew = null;
            switch (mode) {
                case RNN_TANH -> hNew = gi.add(gh).tanh();
                case RNN_RELU -> hNew = gi.add(gh).relu();
                case LSTM -> {
                    Tensor g = gi.add(gh);
                    Tensor in = g.narrow(1, 0, hid).sigmoid(), forget = g.narrow(1, hid, hid).sigmoid();
                    Tensor cell = g.narrow(1, 2L * hid, hid).tanh(), out = g.narrow(1, 3L * hid, hid).sigmoid();
                    cNew = forget.mul(c).add(in.mul(cell));
                    hNew = out.mul(cNew.tanh());
                }
                case GRU -> {
                    Tensor r = gi.narrow(1, 0, hid).add(gh.narrow(1, 0, hid)).sigmoid();
                    Tensor z = gi.narrow(1, hid, hid).add(gh.narrow(1, hid, hid)).sigmoid();
                    Tensor n = gi.narrow(1, 2L * hid, hid).add(r.mul(gh.narrow(1, 2L * hid, hid))).tanh();
                    hNew = z.rsub(1.0).mul(n).add(z.mul(h));
                }
                default -> throw new IllegalStateException(mode.name());
            }
            if (active == null) {
                outs[t] = hNew;
                h = hNew;
                c = cNew;
            } else {
                outs[t] = Tensor.where(active[t], hNew, zeros);
                h = Tensor.where(active[t], hNew, h);
                if (cNew != null) c = Tensor.where(active[t], cNew, c);
            }
        }
        return new Tensor[]{Tensor.stack(0, outs), h, c};
    }

    /** Size of each input vector. */
    public int inputSize() { return inputSize; }

    /** Size of the hidden state. */
    public int hiddenSize() { return hiddenSize; }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize + ", numLayers=" + numLayers + ", bidirectional="
                + (directions == 2) + ", batchFirst=" + batchFirst + ")";
    }

}
