package dev.ember.serve;

import java.util.List;

/**
 * How one request's tokens are drawn, with OpenAI's meanings: greedy when {@code temperature} is 0, else sampling
 * at that temperature among the {@code topK} most likely tokens (0: all; vLLM's extension) whose probabilities reach
 * {@code topP}, with {@code repetitionPenalty} (1: off; Hugging Face's meaning, a vLLM extension); at most
 * {@code maxTokens} new tokens; generation ends before any of the {@code stop} strings, which are not returned.
 *
 * @param seed the sampling generator's seed: the same request with the same seed gives the same text
 */
public record SamplingParams(int maxTokens, double temperature, double topP, int topK, double repetitionPenalty, List<String> stop,
                             long seed) {
    /** Checks every value, naming the parameter that is out of range. */
    public SamplingParams {
        if (maxTokens < 1) throw OpenAiError.invalid("max_tokens", "max_tokens must be at least 1, got " + maxTokens);
        if (!(temperature >= 0 && temperature <= 2))
            throw OpenAiError.invalid("temperature", "temperature must be between 0 and 2, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw OpenAiError.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        if (topK < 0) throw OpenAiError.invalid("top_k", "top_k must be 0 (all tokens) or more, got " + topK);
        if (!(repetitionPenalty > 0 && repetitionPenalty <= 10))
            throw OpenAiError.invalid("repetition_penalty", "repetition_penalty must be in (0, 10], got " + repetitionPenalty);
        stop = List.copyOf(stop);
        if (stop.size() > 4) throw OpenAiError.invalid("stop", "at most 4 stop sequences, got " + stop.size());
        for (String s : stop) if (s.isEmpty()) throw OpenAiError.invalid("stop", "a stop sequence must not be empty");
    }

    /** The same settings with another token limit. */
    public SamplingParams withMaxTokens(int n) { return new SamplingParams(n, temperature, topP, topK, repetitionPenalty, stop, seed); }
}
