package dev.ember.llm.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.Batch;
import dev.ember.llm.chat.EncodedChat;
import dev.ember.llm.data.SftDataset;
import dev.ember.metrics.Perplexity;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packed rows compute every example exactly as alone; the masked loss counts assistant tokens only. */
class CausalLmTest {
    static GPT gpt() {
        Ember.manualSeed(11);
        GPT g = new GPT(GPTConfig.builder(40).contextLength(12).layers(2).width(16).heads(2).build());
        g.eval();
        return g;
    }

    @Test
    void packedExamplesDoNotSeeEachOther() {
        GPT g = gpt();
        CausalLm lm = new CausalLm(g, null);
        EncodedChat a = new EncodedChat(new int[]{1, 2, 3, 4, 5}, new boolean[]{false, false, true, true, true});
        EncodedChat b = new EncodedChat(new int[]{6, 7, 8, 9}, new boolean[]{false, true, true, true});
        Batch packed = SftDataset.of(List.of(a, b), 12, true).getBatch(new int[]{0}); // one row: a (4 positions), b (3)
        try (var ignored = Ember.noGrad()) {
            Tensor logits = lm.forward(packed.inputs());
            Tensor alone = g.forward(Tensor.of(new long[]{1, 2, 3, 4}, 1, 4));
            Tensor aloneB = g.forward(Tensor.of(new long[]{6, 7, 8}, 1, 3));
            assertArrayEquals(alone.toFloatArray(), logits.narrow(1, 0, 4).contiguous().toFloatArray(), 2e-5f);
            assertArrayEquals(aloneB.toFloatArray(), logits.narrow(1, 4, 3).contiguous().toFloatArray(), 2e-5f);
            // the masked loss is the mean over the assistant targets of the two examples, alone
            double expected = 0;
            long[] ta = {3, 4, 5}, tb = {7, 8, 9};
            float[] la = alone.toFloatArray(), lb = aloneB.toFloatArray();
            for (int k = 0; k < 3; k++) expected += nll(la, 1 + k, (int) ta[k], 40) + nll(lb, k, (int) tb[k], 40);
            expected /= 6;
            assertEquals(expected, new SftLoss().forward(logits, packed.targets()).item(), 1e-5);
            Perplexity ppl = Perplexity.ignoring(-100);
            ppl.update(logits, packed.targets());
            assertEquals(6, ppl.tokens());
            assertEquals(expected, ppl.meanNats(), 1e-5);
        }
    }

    /** -log softmax(logits[t])[target] in float64. */
    static double nll(float[] logits, int t, int target, int vocab) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int v = 0; v < vocab; v++) max = Math.max(max, logits[t * vocab + v]);
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[t * vocab + v] - max);
        return -(logits[t * vocab + target] - max - Math.log(sum));
    }

    @Test
    void badRowsAreRefused() {
        CausalLm lm = new CausalLm(gpt(), null);
        assertThrows(IllegalArgumentException.class, () -> lm.forward(Tensor.zeros(1, 2, 4)));
    }
}
