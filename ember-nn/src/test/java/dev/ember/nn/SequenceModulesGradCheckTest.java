package dev.ember.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.autograd.GradCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gradients of the sequence modules with respect to their inputs against central finite differences in float64
 * (modules built with FLOAT64 parameters), and the behaviours PyTorch defines around them: padded steps, unbatched
 * input, masks and errors that name the argument.
 */
class SequenceModulesGradCheckTest {
    @BeforeEach
    void float64() {
        Ember.setDefaultDType(DType.FLOAT64);
        Ember.manualSeed(7);
    }

    @AfterEach
    void restore() { Ember.setDefaultDType(DType.FLOAT32); }

    private static Tensor leaf(long... shape) { return Tensor.randn(shape).requiresGrad(true); }

    @Test
    void recurrentLayersWithLengthsAndInitialStates() {
        long[] lengths = {3, 1};
        LSTM lstm = new LSTM(3, 2, RNNBase.options().numLayers(2).bidirectional(true));
        GradCheck.assertGradients(in -> {
            RNNBase.Output o = lstm.forward(in[0], in[1], in[2], lengths);
            return o.output().sum().add(o.hn().mul(o.cn()).sum());
        }, leaf(3, 2, 3), leaf(4, 2, 2), leaf(4, 2, 2));
        GRU gru = new GRU(3, 2, RNNBase.options().batchFirst(true).bidirectional(true));
        GradCheck.assertGradients(in -> gru.forward(in[0], in[1], lengths).output(), leaf(2, 3, 3), leaf(2, 2, 2));
        RNN rnn = new RNN(3, 4, "relu", RNNBase.options().numLayers(2));
        GradCheck.assertGradients(in -> rnn.forward(in[0], null, null).hn(), leaf(4, 2, 3));
    }

    @Test
    void paddedStepsOutputZerosAndLeaveTheStateAlone() {
        // The second sequence has 2 real steps: running it alone gives its outputs and final state.
        GRU gru = new GRU(3, 4, RNNBase.options().bidirectional(true));
        Tensor x = Tensor.randn(5, 2, 3);
        RNNBase.Output padded = gru.forward(x, null, new long[]{5, 2});
        RNNBase.Output alone = gru.forward(x.narrow(0, 0, 2).narrow(1, 1, 1), null, null);
        assertTrue(padded.output().narrow(0, 0, 2).narrow(1, 1, 1).allclose(alone.output(), 1e-12, 1e-12));
        assertTrue(padded.output().narrow(0, 2, 3).narrow(1, 1, 1).eq(0.0).all(), "zeros past the length");
        assertTrue(padded.hn().narrow(1, 1, 1).allclose(alone.hn(), 1e-12, 1e-12));
    }

    @Test
    void unbatchedInputMatchesABatchOfOne() {
        LSTM lstm = new LSTM(3, 2);
        Tensor x = Tensor.randn(4, 3);
        RNNBase.Output one = lstm.forward(x, null, null, null), batch = lstm.forward(x.unsqueeze(1), null, null, null);
        assertArrayEquals(new long[]{4, 2}, one.output().shape());
        assertArrayEquals(new long[]{1, 2}, one.hn().shape());
        assertTrue(one.output().allclose(batch.output().squeeze(1), 0, 0));
    }

    @Test
    void attentionAndTransformerLayers() {
        MultiheadAttention mha = new MultiheadAttention(4, 2, 0, true, true, 4, 4);
        Tensor pad = Tensor.of(new boolean[]{false, false, true, false, false, false}, 2, 3);
        GradCheck.assertGradients(in -> mha.forward(in[0], in[1], in[1], pad, null, false), leaf(2, 2, 4), leaf(2, 3, 4));
        GradCheck.assertGradients(in -> mha.forward(in[0], in[0], in[0], null, null, true), leaf(2, 3, 4));

        var enc = new TransformerEncoderLayer(4, 2, new TransformerOptions().dimFeedforward(6).dropout(0).normFirst(true).activation("gelu"));
        GradCheck.assertGradients(in -> enc.forward(in[0], null, null, true), leaf(3, 2, 4));
        var dec = new TransformerDecoderLayer(4, 2, new TransformerOptions().dimFeedforward(6).dropout(0));
        GradCheck.assertGradients(in -> dec.forward(in[0], in[1]), leaf(3, 2, 4), leaf(2, 2, 4));
    }

    @Test
    void normalisationActivationsAndPositions() {
        RMSNorm rms = new RMSNorm(new long[]{5}, 1e-6, true);
        GradCheck.assertGradients(in -> rms.forward(in[0]), leaf(3, 5));
        SwiGLU swiglu = new SwiGLU(4, 6);
        GradCheck.assertGradients(in -> swiglu.forward(in[0]), leaf(2, 4));
        RotaryEmbedding rope = new RotaryEmbedding(4, 8);
        GradCheck.assertGradients(in -> rope.apply(in[0], 2), leaf(2, 3, 4));
        Tensor positions = Tensor.of(new long[]{0, 1, 2, 5, 6, 7}, 2, 3);
        GradCheck.assertGradients(in -> rope.apply(in[0], positions), leaf(2, 1, 3, 4));
        PositionalEmbedding learned = new PositionalEmbedding(6, 4);
        GradCheck.assertGradients(in -> learned.forward(in[0], 2), leaf(2, 3, 4));
    }

    @Test
    void rotaryDotProductsDependOnlyOnRelativePosition() {
        RotaryEmbedding rope = new RotaryEmbedding(8, 32);
        Tensor q = Tensor.randn(1, 8), k = Tensor.randn(1, 8);
        double a = rope.apply(q, 3).mul(rope.apply(k, 1)).sum().item();
        double b = rope.apply(q, 13).mul(rope.apply(k, 11)).sum().item();
        assertEquals(a, b, 1e-10);
        // per-sequence positions give the same rotation as a start offset
        Tensor x = Tensor.randn(1, 2, 3, 8);
        assertTrue(rope.apply(x, Tensor.of(new long[]{4, 5, 6}, 1, 3)).allclose(rope.apply(x, 4), 1e-12, 1e-12));
    }

    @Test
    void errorsNameTheModuleAndArgument() {
        LSTM lstm = new LSTM(3, 2);
        var e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(4, 2, 5), null, null, null));
        assertTrue(e.getMessage().contains("LSTM") && e.getMessage().contains("inputSize 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(4, 2, 3), Tensor.zeros(2, 2, 2), null, null));
        assertTrue(e.getMessage().contains("h0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lstm.forward(Tensor.randn(4, 2, 3), null, null, new long[]{4, 5}));
        assertTrue(e.getMessage().contains("length"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MultiheadAttention(6, 4));
        assertTrue(e.getMessage().contains("numHeads"), e.getMessage());
        MultiheadAttention mha = new MultiheadAttention(4, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> mha.forward(Tensor.randn(3, 2, 4), Tensor.randn(3, 2, 4), Tensor.randn(3, 2, 4), Tensor.zeros(DType.BOOL, 2, 4), null, false));
        assertTrue(e.getMessage().contains("keyPaddingMask"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(5, 8));
        assertTrue(e.getMessage().contains("headDim"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PositionalEmbedding(4, 2).forward(Tensor.randn(5, 2)));
        assertTrue(e.getMessage().contains("exceed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new RMSNorm(3, 4).forward(Tensor.randn(2, 4, 3)));
        assertTrue(e.getMessage().contains("rmsNorm") && e.getMessage().contains("[3, 4]"), e.getMessage());
    }
}
