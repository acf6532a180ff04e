package dev.ember.studio.chat;

/**
 * How the next token is drawn.
 *
 * @param temperature  divides the logits; 0 means greedy
 * @param topK         keep only the k most likely tokens (0: all)
 * @param topP         keep the smallest set of tokens whose probability reaches p (1: all)
 * @param maxNewTokens the most tokens to generate
 * @param seed         the sampling generator's seed
 */
public record Sampling(double temperature, int topK, double topP, int maxNewTokens, long seed) {
    /** Checks every setting, naming the one out of range. */
    public Sampling {
        if (!(temperature >= 0 && temperature <= 10)) throw new IllegalArgumentException("chat: temperature must be in [0, 10], got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("chat: top_k must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("chat: top_p must be in (0, 1], got " + topP);
        if (maxNewTokens < 1 || maxNewTokens > 4096) throw new IllegalArgumentException("chat: max_new_tokens must be 1..4096, got " + maxNewTokens);
    }

    /** Temperature 0.8, top-k 40, top-p 0.95, 256 tokens, seed 0. */
    public static Sampling defaults() { return new Sampling(0.8, 40, 0.95, 256, 0); }
}
