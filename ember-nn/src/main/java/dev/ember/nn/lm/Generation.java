package dev.ember.nn.lm;

import dev.ember.Ember;
import dev.ember.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Text generation with a {@link GPT} and a {@link KVCache}: the prompts run through the model once, then each step
 * feeds only the newly chosen tokens. Tokens are chosen as {@link GenerationConfig} says and streamed to a
 * {@link TokenListener} as they are chosen.
 *
 * <p>Prompts of different lengths are batched with left padding: the padding is hidden from attention and each
 * sequence's positions start at its first real token, so every sequence continues exactly as it would alone
 * (up to float rounding). A single sequence that reaches the model's context length continues in a sliding window:
 * the cache is rebuilt from the last half-context of tokens; a batch stops there instead.
 */
public final class Generation {
    private Generation() {}

    /** Why a sequence ended. */
    public enum FinishReason { STOP_TOKEN, MAX_TOKENS, CONTEXT }

    /** The new tokens of each sequence (prompt not included, stop token not included) and why each ended. */
    public record Result(List<int[]> tokens, List<FinishReason> reasons) {}

    /** Continues one prompt; returns its new tokens. */
    public static int[] generate(GPT model, int[] prompt, GenerationConfig config, TokenListener listener) {
        return generate(model, List.of(prompt), config, listener).tokens().getFirst();
    }

    /** Continues every prompt (a batch, left-padded as needed); {@code listener} may be null. */
    public static Result generate(GPT model, List<int[]> prompts, GenerationConfig config, TokenListener listener) {
        GPTConfig c = model.config();
        int b = prompts.size();
        if (b == 0) throw new IllegalArgumentException("generate: no prompts");
        int longest = 0, shortest = Integer.MAX_VALUE;
        for (int i = 0; i < b; i++) {
            int[] p = prompts.get(i);
            if (p == null || p.length == 0) throw new IllegalArgumentException("generate: prompt " + i + " is empty; a prompt needs at least one token");
            if (p.length > c.contextLength())
                throw new IllegalArgumentException("generate: prompt " + (b > 1 ? i + " " : "") + "has " + p.length
                        + " tokens, more than the model's context length of " + c.contextLength());
            for (int t : p)
                if (t < 0 || t >= c.vocabSize())
                    throw new IllegalArgumentException("generate: prompt " + (b > 1 ? i + " " : "") + "holds token id " + t
                            + ", outside the vocabulary [0, " + c.vocabSize() + ")");
            longest = Math.max(longest, p.length);
            shortest = Math.min(shortest, p.length);
        }
        boolean padded = longest != shortest;
        int[][] seen = new int[b][];
        int[] seenCount = new int[b];
        List<int[]> out = new ArrayList<>();
        Sampler[] samplers = new Sampler[b];
        FinishReason[] reasons = new FinishReason[b];
        int[] generated = new int[b];
        int[][] news = new int[b][config.maxNewTokens()];
        for (int i = 0; i < b; i++) {
            int[] p = prompts.get(i);
            seen[i] = Arrays.copyOf(p, p.length + config.maxNewTokens());
            seenCount[i] = p.length;
            samplers[i] = new Sampler(config, i);
        }
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var ignored = Ember.noGrad()) {
            if (config.maxNewTokens() == 0) {
                Arrays.fill(reasons, FinishReason.MAX_TOKENS);
            } else {
                run(model, prompts, config, listener, padded, longest, seen, seenCount, samplers, reasons, generated, news);
            }
        } finally {
            model.train(wasTraining);
        }
        for (int i = 0; i < b; i++) out.add(Arrays.copyOf(news[i], generated[i]));
        return new Result(out, List.of(reasons));
    }

    private static void run(GPT model, List<int[]> prompts, GenerationConfig config, TokenListener listener, boolean padded, int longest,
                            int[][] seen, int[] seenCount, Sampler[] samplers, FinishReason[] reasons, int[] generated, int[][] news) {
        GPTConfig c = model.config();
        int b = prompts.size(), v = c.vocabSize();
        KVCache cache = model.newCache(b);
        dev.ember.Device dev = model.tokenEmbedding().device();
        try {
            // the prompts, left-padded to the longest
            long[] ids = new long[b * longest], pos = new long[b * longest];
            boolean[][] keys = new boolean[b][c.contextLength()];
            int[] real = new int[b];
            for (int i = 0; i < b; i++) {
                int[] p = prompts.get(i);
                int pad = longest - p.length;
                for (int t = 0; t < longest; t++) {
                    ids[i * longest + t] = t < pad ? 0 : p[t - pad];
                    pos[i * longest + t] = Math.max(0, t - pad);
                    keys[i][t] = t >= pad;
                }
                real[i] = p.length;
            }
            Tensor logits = model.forward(Tensor.of(ids, b, longest).to(dev), cache, padded ? keyMask(keys, b, longest).to(dev) : null,
                    padded ? Tensor.of(pos, b, longest).to(dev) : null);
            boolean[] done = new boolean[b];
            int active = b;
            long[] next = new long[b], nextPos = new long[b];
            while (true) {
                float[] last = logits.narrow(1, logits.size(1) - 1, 1).toFloatArray();
                for (int i = 0; i < b; i++) {
                    if (done[i]) continue;
                    int tok = samplers[i].next(Arrays.copyOfRange(last, i * v, (i + 1) * v), seen[i], seenCount[i]);
                    if (config.isStop(tok)) {
                        done[i] = true;
                        reasons[i] = FinishReason.STOP_TOKEN;
                        active--;
                        continue;
                    }
                    seen[i][seenCount[i]++] = tok;
                    news[i][generated[i]++] = tok;
                    if (listener != null) listener.onToken(i, tok);
                    if (generated[i] == config.maxNewTokens()) {
                        done[i] = true;
                        reasons[i] = FinishReason.MAX_TOKENS;
                        active--;
                    }
                }
                if (active == 0) return;
                if (cache.length() + 1 > c.contextLength()) {
                    if (b > 1) {
                        for (int i = 0; i < b; i++) if (!done[i]) reasons[i] = FinishReason.CONTEXT;
                        return;
                    }
                    // one sequence: continue from the last half-context of its tokens in a fresh cache
                    int keep = Math.max(1, c.contextLength() / 2);
                    long[] window = new long[keep];
                    for (int t = 0; t < keep; t++) window[t] = seen[0][seenCount[0] - keep + t];
                    cache.clear();
                    logits = model.forward(Tensor.of(window, 1, keep).to(dev), cache, null, null);
                    continue;
                }
                int s = cache.length();
                for (int i = 0; i < b; i++) {
                    next[i] = done[i] ? 0 : seen[i][seenCount[i] - 1];
                    nextPos[i] = Math.min(real[i]++, c.contextLength() - 1);
                    keys[i][s] = true;
                }
                logits = model.forward(Tensor.of(next, b, 1).to(dev), cache, padded ? keyMask(keys, b, s + 1).to(dev) : null,
                        padded ? Tensor.of(nextPos, b, 1).to(dev) : null);
            }
        } finally {
            cache.close();
        }
    }

    private static Tensor keyMask(boolean[][] keys, int b, int s) {
        boolean[] flat = new boolean[b * s];
        for (int i = 0; i < b; i++) System.arraycopy(keys[i], 0, flat, i * s, s);
        return Tensor.of(flat, b, s);
    }
}
