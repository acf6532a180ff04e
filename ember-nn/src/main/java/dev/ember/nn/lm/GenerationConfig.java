package dev.ember.nn.lm;

import java.util.Arrays;

/**
 * How {@link Generation} picks each next token, with Hugging Face's meanings: greedy (the most likely token) when
 * {@code temperature} is 0, else sampling from the softmax of the logits after a {@code repetitionPenalty} (a seen
 * token's positive logit divided by it, a negative one multiplied), division by the {@code temperature}, keeping the
 * {@code topK} most likely tokens (0: all) and the smallest set whose probability reaches {@code topP} (1: all).
 * Generation of a sequence stops after {@code maxNewTokens}, or at one of the {@code stopTokens} (not emitted).
 * The {@code seed} makes sampling repeatable: sequence {@code i} of a batch draws from its own generator seeded with
 * {@code seed + i}, so a prompt's continuation does not depend on its batch-mates (alone, with seed {@code seed + i},
 * it continues the same way).
 */
public record GenerationConfig(int maxNewTokens, double temperature, int topK, double topP, double repetitionPenalty,
                               int[] stopTokens, long seed) {

    /** Checks the values; errors name the option. */
    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("generation: maxNewTokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature))
            throw new IllegalArgumentException("generation: temperature must be finite and >= 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("generation: topK must be >= 0, got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("generation: topP must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("generation: repetitionPenalty must be > 0, got " + repetitionPenalty);
        stopTokens = stopTokens == null ? new int[0] : stopTokens.clone();
    }

    /** Whether {@code token} ends a sequence. */
    public boolean isStop(int token) {
        for (int s : stopTokens) if (s == token) return true;
        return false;
    }

    /** Greedy decoding: always the most likely token. */
    public boolean greedy() { return temperature == 0; }

    /** Defaults: 100 new tokens, greedy, no top-k/top-p, no penalty, no stop tokens, seed 0. */
    public static Builder builder() { return new Builder(); }

    @Override
    public String toString() {
        return "GenerationConfig[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature + ", topK=" + topK + ", topP=" + topP
                + ", repetitionPenalty=" + repetitionPenalty + ", stopTokens=" + Arrays.toString(stopTokens) + ", seed=" + seed + "]";
    }

    /** Options of {@link GenerationConfig}. */
    public static final class Builder {
        private int maxNewTokens = 100, topK;
        private double temperature, topP = 1, repetitionPenalty = 1;
        private int[] stopTokens = new int[0];
        private long seed;

        /** Most tokens to add to each sequence. */
        public Builder maxNewTokens(int n) { this.maxNewTokens = n; return this; }

        /** 0 for greedy decoding; otherwise the softmax temperature of sampling. */
        public Builder temperature(double t) { this.temperature = t; return this; }

        /** Sample only among the {@code k} most likely tokens (0: no limit). */
        public Builder topK(int k) { this.topK = k; return this; }

        /** Sample only among the most likely tokens whose probabilities sum to {@code p} (nucleus sampling). */
        public Builder topP(double p) { this.topP = p; return this; }

        /** Penalty (> 1 discourages) for tokens already in the sequence, prompt included. */
        public Builder repetitionPenalty(double r) { this.repetitionPenalty = r; return this; }

        /** Token ids that end a sequence. */
        public Builder stopTokens(int... ids) { this.stopTokens = ids.clone(); return this; }

        /** Seed of the sampling generators. */
        public Builder seed(long s) { this.seed = s; return this; }

        /** The configuration. */
        public GenerationConfig build() { return new GenerationConfig(maxNewTokens, temperature, topK, topP, repetitionPenalty, stopTokens, seed); }
    }
}
