package dev.ember.nn.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generation: greedy decoding is the arg-max of the full forward at every step, batches with left padding continue
 * each prompt as it would alone, tokens stream in order, stop tokens end a sequence, sampling follows its
 * distribution and options, and a single sequence continues past the context in a sliding window.
 */
class GenerationTest {
    private static GPT model(long seed, int context) {
        Ember.manualSeed(seed);
        GPT m = new GPT(GPTConfig.builder(13).contextLength(context).layers(2).width(8).heads(2).initStd(0.5).build());
        m.eval();
        return m;
    }

    private static int argmaxLast(GPT m, int[] seq, int from) {
        long[] l = new long[seq.length - from];
        for (int i = from; i < seq.length; i++) l[i - from] = seq[i];
        float[] logits = m.forward(Tensor.of(l, 1, l.length)).narrow(1, l.length - 1, 1).toFloatArray();
        return Sampler.argmax(logits);
    }

    @Test
    void greedyTokensAreTheArgmaxOfTheFullForward() {
        GPT m = model(1, 32);
        int[] prompt = {2, 7, 1};
        int[] out = Generation.generate(m, prompt, GenerationConfig.builder().maxNewTokens(10).build(), null);
        assertEquals(10, out.length);
        int[] seq = Arrays.copyOf(prompt, prompt.length + out.length);
        for (int i = 0; i < out.length; i++) {
            assertEquals(argmaxLast(m, Arrays.copyOf(seq, prompt.length + i), 0), out[i], "token " + i);
            seq[prompt.length + i] = out[i];
        }
    }

    @Test
    void leftPaddedBatchesContinueEachPromptAsAlone() {
        GPT m = model(2, 32);
        List<int[]> prompts = List.of(new int[]{1, 2, 3}, new int[]{4, 5, 6, 7, 8, 9, 10}, new int[]{11}, new int[]{3, 3, 3, 3, 3});
        for (GenerationConfig c : List.of(GenerationConfig.builder().maxNewTokens(12).build(),
                GenerationConfig.builder().maxNewTokens(12).temperature(0.9).topK(6).topP(0.95).seed(17).build())) {
            Generation.Result batched = Generation.generate(m, prompts, c, null);
            for (int i = 0; i < prompts.size(); i++) {
                GenerationConfig alone = GenerationConfig.builder().maxNewTokens(12).temperature(c.temperature()).topK(c.topK()).topP(c.topP())
                        .seed(c.seed() + i).build();
                assertArrayEquals(Generation.generate(m, prompts.get(i), alone, null), batched.tokens().get(i), "prompt " + i + ", " + c);
            }
        }
    }

    @Test
    void tokensStreamInOrderAndStopTokensEndTheirSequence() {
        GPT m = model(3, 32);
        List<int[]> prompts = List.of(new int[]{1, 2}, new int[]{5, 6, 7});
        GenerationConfig plain = GenerationConfig.builder().maxNewTokens(15).build();
        Generation.Result free = Generation.generate(m, prompts, plain, null);
        // stop on the third token the first sequence would produce
        int stop = free.tokens().get(0)[2];
        List<List<Integer>> streamed = List.of(new ArrayList<>(), new ArrayList<>());
        Generation.Result r = Generation.generate(m, prompts, GenerationConfig.builder().maxNewTokens(15).stopTokens(stop).build(),
                (seq, tok) -> streamed.get(seq).add(tok));
        int firstStop = indexOf(free.tokens().get(0), stop);
        assertArrayEquals(Arrays.copyOf(free.tokens().get(0), firstStop), r.tokens().get(0));
        assertEquals(Generation.FinishReason.STOP_TOKEN, r.reasons().get(0));
        for (int s = 0; s < 2; s++)
            assertArrayEquals(r.tokens().get(s), streamed.get(s).stream().mapToInt(Integer::intValue).toArray(), "streamed " + s);
        int other = indexOf(free.tokens().get(1), stop);
        if (other < 0) {
            assertEquals(Generation.FinishReason.MAX_TOKENS, r.reasons().get(1));
            assertArrayEquals(free.tokens().get(1), r.tokens().get(1));
        } else {
            assertArrayEquals(Arrays.copyOf(free.tokens().get(1), other), r.tokens().get(1));
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        return -1;
    }

    @Test
    void oneSequenceSlidesPastTheContext() {
        GPT m = model(4, 8);
        int[] out = Generation.generate(m, new int[]{1, 2, 3}, GenerationConfig.builder().maxNewTokens(20).build(), null);
        assertEquals(20, out.length);
        // tokens 0..5 see the whole prompt (token 5 the full 8 positions); from token 6 on, the window of the last half-context
        int[] seq = new int[23];
        seq[0] = 1;
        seq[1] = 2;
        seq[2] = 3;
        System.arraycopy(out, 0, seq, 3, 20);
        for (int i = 0; i < 6; i++) assertEquals(argmaxLast(m, Arrays.copyOf(seq, 3 + i), 0), out[i]);
        // after the slide the next token is the arg-max over the last 4 tokens, with positions from 0
        assertEquals(argmaxLast(m, Arrays.copyOf(seq, 3 + 6), 5), out[6]);
        // a batch stops at the context instead
        Generation.Result r = Generation.generate(m, List.of(new int[]{1, 2, 3}, new int[]{4, 5}), GenerationConfig.builder().maxNewTokens(20).build(), null);
        assertEquals(Generation.FinishReason.CONTEXT, r.reasons().get(0));
        assertEquals(6, r.tokens().get(0).length);
    }

    @Test
    void samplingIsSeededAndFollowsTheTemperedDistribution() {
        float[] logits = {2f, 1f, 0f, -1f, 0.5f};
        GenerationConfig c = GenerationConfig.builder().temperature(0.7).seed(9).build();
        int n = 40000;
        int[] counts = new int[5];
        Sampler s = new Sampler(c, 0);
        for (int i = 0; i < n; i++) counts[s.next(logits.clone(), new int[0], 0)]++;
        double z = 0;
        double[] p = new double[5];
        for (int i = 0; i < 5; i++) z += p[i] = Math.exp(logits[i] / 0.7);
        for (int i = 0; i < 5; i++) {
            double expected = n * p[i] / z, sd = Math.sqrt(expected);
            assertTrue(Math.abs(counts[i] - expected) < 5 * sd + 1, "token " + i + ": " + counts[i] + " draws, expected " + expected);
        }
        Sampler a = new Sampler(c, 0), b = new Sampler(c, 0), other = new Sampler(c, 1);
        int[] da = new int[50], db = new int[50], dc = new int[50];
        for (int i = 0; i < 50; i++) {
            da[i] = a.next(logits.clone(), new int[0], 0);
            db[i] = b.next(logits.clone(), new int[0], 0);
            dc[i] = other.next(logits.clone(), new int[0], 0);
        }
        assertArrayEquals(da, db, "same seed, same draws");
        assertNotEquals(Arrays.toString(da), Arrays.toString(dc), "sequence 1 has its own generator");
    }

    @Test
    void topKTopPAndRepetitionPenaltyRestrictTheChoice() {
        float[] logits = {3f, 2.9f, 1f, 0f, -2f};
        for (int i = 0; i < 300; i++) {
            int k = new Sampler(GenerationConfig.builder().temperature(1.5).topK(2).seed(i).build(), 0).next(logits.clone(), new int[0], 0);
            assertTrue(k == 0 || k == 1, "top-2 drew " + k);
            // probabilities at temperature 1: 0.49, 0.44, 0.07, ...: top-p 0.9 keeps the first two
            int p = new Sampler(GenerationConfig.builder().temperature(1).topP(0.9).seed(i).build(), 0).next(logits.clone(), new int[0], 0);
            assertTrue(p == 0 || p == 1, "top-p drew " + p);
        }
        // a penalty of 2 on token 0 (logit 3 -> 1.5) makes token 1 the greedy choice; a negative logit is multiplied
        float[] l = logits.clone();
        assertEquals(1, new Sampler(GenerationConfig.builder().repetitionPenalty(2).build(), 0).next(l, new int[]{0, 4}, 2));
        assertEquals(1.5f, l[0]);
        assertEquals(-4f, l[4]);
        assertEquals(0, new Sampler(GenerationConfig.builder().topK(1).temperature(5).build(), 0).next(logits.clone(), new int[0], 0));
    }
}
