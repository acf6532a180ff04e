package dev.ember.nn.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.nn.functional.F;
import dev.ember.optim.AdamW;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The GPT model: causality, the KV cache against the full forward, parameter gradients against finite
 * differences, weight tying, learning a toy sequence, and the errors for bad ids, lengths and shapes.
 */
class GPTTest {
    static GPT tiny(long seed, boolean tie) {
        Ember.manualSeed(seed);
        return new GPT(GPTConfig.builder(11).contextLength(16).layers(2).width(8).heads(2).tieWeights(tie).initStd(0.3).build());
    }

    static Tensor ids(long... v) { return Tensor.of(v, 1, v.length); }

    @Test
    void logitsHaveTheVocabularyAndDoNotSeeTheFuture() {
        GPT m = tiny(1, true);
        Tensor a = m.forward(Tensor.of(new long[]{1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(new long[]{2, 3, 11}, a.shape());
        Tensor x = ids(1, 2, 3, 4, 5), y = ids(1, 2, 3, 9, 0);
        Tensor lx = m.forward(x), ly = m.forward(y);
        assertTrue(lx.narrow(1, 0, 3).allclose(ly.narrow(1, 0, 3), 1e-6, 1e-6), "positions 0-2 ignore later tokens");
        assertFalse(lx.narrow(1, 3, 1).allclose(ly.narrow(1, 3, 1), 1e-6, 1e-6));
    }

    @Test
    void cachedStepsGiveTheFullForwardsLogits() {
        for (boolean preNorm : new boolean[]{true, false}) {
            Ember.manualSeed(2);
            GPT m = new GPT(GPTConfig.builder(11).contextLength(16).layers(2).width(8).heads(2).preNorm(preNorm).bias(!preNorm).initStd(0.3).build());
            m.eval();
            Tensor seq = Tensor.of(new long[]{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8}, 2, 6);
            Tensor full = m.forward(seq);
            KVCache cache = m.newCache(2);
            try (var ignored = Ember.noGrad()) {
                Tensor first = m.forward(seq.narrow(1, 0, 3), cache, null, null);       // prefill of 3
                assertTrue(first.allclose(full.narrow(1, 0, 3), 1e-5, 1e-5));
                Tensor two = m.forward(seq.narrow(1, 3, 2), cache, null, null);         // a chunk of 2 after a cache
                assertTrue(two.allclose(full.narrow(1, 3, 2), 1e-5, 1e-5), "chunk after cache, preNorm " + preNorm);
                Tensor one = m.forward(seq.narrow(1, 5, 1), cache, null, null);         // one step
                assertTrue(one.allclose(full.narrow(1, 5, 1), 1e-5, 1e-5));
            }
            assertEquals(6, cache.length());
        }
    }

    @Test
    void leftPaddingWithKeyMaskAndPositionsMatchesTheUnpaddedSequence() {
        GPT m = tiny(3, true);
        m.eval();
        Tensor alone = m.forward(ids(4, 7, 2));
        // the same sequence after two pads, in a batch with a full-length one
        Tensor batch = Tensor.of(new long[]{0, 0, 4, 7, 2, 1, 2, 3, 4, 5}, 2, 5);
        Tensor keys = Tensor.of(new boolean[]{false, false, true, true, true, true, true, true, true, true}, 2, 5);
        Tensor pos = Tensor.of(new long[]{0, 0, 0, 1, 2, 0, 1, 2, 3, 4}, 2, 5);
        Tensor out = m.forward(batch, null, keys, pos);
        assertTrue(out.narrow(0, 0, 1).narrow(1, 2, 3).allclose(alone, 1e-5, 1e-5));
        assertTrue(out.narrow(0, 1, 1).allclose(m.forward(ids(1, 2, 3, 4, 5)), 1e-5, 1e-5));
    }

    @Test
    void parameterGradientsMatchFiniteDifferences() {
        Ember.setDefaultDType(DType.FLOAT64);
        try {
            for (boolean tie : new boolean[]{true, false}) {
                GPT m = tiny(4, tie);
                Tensor x = Tensor.of(new long[]{1, 5, 2, 7, 3, 3, 9, 0}, 2, 4), y = Tensor.of(new long[]{5, 2, 7, 1, 3, 9, 0, 4}, 2, 4);
                java.util.function.Supplier<Tensor> loss = () -> F.crossEntropy(m.forward(x).reshape(-1, 11), y.reshape(-1));
                loss.get().backward();
                Map<String, Tensor> params = m.namedParameters();
                assertEquals(!tie, params.containsKey("lm_head.weight"));
                for (var e : params.entrySet()) {
                    Tensor p = e.getValue();
                    double[] g = p.grad().toDoubleArray();
                    int n = (int) p.numel();
                    for (int j : new int[]{0, n / 3, n - 1}) {
                        double numeric = difference(p, j, loss);
                        assertEquals(numeric, g[j], 1e-6 + 1e-4 * Math.abs(numeric), e.getKey() + "[" + j + "]");
                    }
                }
            }
        } finally {
            Ember.setDefaultDType(DType.FLOAT32);
        }
    }

    /** Central difference of {@code loss} in element {@code j} of {@code p}. */
    private static double difference(Tensor p, int j, java.util.function.Supplier<Tensor> loss) {
        double eps = 1e-6;
        try (var ignored = Ember.noGrad()) {
            Tensor flat = p.view(-1).narrow(0, j, 1);
            double orig = flat.item();
            flat.fillInPlace(orig + eps);
            double plus = loss.get().item();
            flat.fillInPlace(orig - eps);
            double minus = loss.get().item();
            flat.fillInPlace(orig);
            return (plus - minus) / (2 * eps);
        }
    }

    @Test
    void tiedOutputLayerIsTheTokenEmbedding() {
        GPT m = tiny(5, true);
        assertNull(m.namedParameters().get("lm_head.weight"));
        Tensor x = ids(1, 2, 3);
        m.forward(x).sum().backward();
        // the embedding's gradient holds the output layer's part for every row, not only rows 1, 2, 3
        double[] g = m.tokenEmbedding().grad().narrow(0, 8, 1).toDoubleArray();
        double norm = 0;
        for (double v : g) norm += Math.abs(v);
        assertTrue(norm > 0, "row 8 gets gradient through the tied output layer only");
    }

    @Test
    void learnsARepeatingSequence() {
        GPT m = tiny(6, true);
        long[] pattern = {1, 2, 3, 4, 5, 6, 7};
        long[] x = new long[4 * 12], y = new long[4 * 12];
        for (int b = 0; b < 4; b++)
            for (int t = 0; t < 12; t++) {
                x[b * 12 + t] = pattern[(b + t) % 7];
                y[b * 12 + t] = pattern[(b + t + 1) % 7];
            }
        Tensor xs = Tensor.of(x, 4, 12), ys = Tensor.of(y, 4 * 12);
        var opt = new AdamW(m.parameters(), 1e-2);
        double first = 0, last = 0;
        for (int step = 0; step < 150; step++) {
            Tensor loss = F.crossEntropy(m.forward(xs).reshape(-1, 11), ys);
            opt.zeroGrad();
            loss.backward();
            opt.step();
            if (step == 0) first = loss.item();
            last = loss.item();
        }
        assertTrue(first > 1.5 && last < 0.05, "loss " + first + " -> " + last);
        int[] out = Generation.generate(m, new int[]{3, 4}, GenerationConfig.builder().maxNewTokens(8).build(), null);
        assertArrayEquals(new int[]{5, 6, 7, 1, 2, 3, 4, 5}, out);
    }

    @Test
    void badInputsAreClearErrors() {
        GPT m = tiny(7, true);
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(ids(1, 2, 11)));
        assertTrue(e.getMessage().contains("token id 11") && e.getMessage().contains("[0, 11)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(DType.INT64, 1, 17)));
        assertTrue(e.getMessage().contains("context length 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("integer token ids"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GPTConfig.builder(10).width(10).heads(3).build());
        assertTrue(e.getMessage().contains("heads"), e.getMessage());
        List<int[]> prompts = new ArrayList<>();
        prompts.add(new int[17]);
        e = assertThrows(IllegalArgumentException.class, () -> Generation.generate(m, prompts, GenerationConfig.builder().build(), null));
        assertTrue(e.getMessage().contains("17 tokens") && e.getMessage().contains("context length of 16"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Generation.generate(m, new int[]{1, 42}, GenerationConfig.builder().build(), null));
        assertTrue(e.getMessage().contains("42"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topP(0).build());
        assertTrue(e.getMessage().contains("topP"), e.getMessage());
    }
}
