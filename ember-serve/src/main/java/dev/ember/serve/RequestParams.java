package dev.ember.serve;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fields that {@code /v1/completions} and {@code /v1/chat/completions} share: the model, streaming, and the
 * sampling parameters. Parameters this server does not implement are refused with a 400 that names them, unless
 * they hold the value that means "off" ({@code n: 1}, {@code presence_penalty: 0}, {@code logprobs: false}, ...);
 * informational fields ({@code user}, {@code metadata}, {@code store}, ...) and unknown ones are ignored.
 *
 * @param maxTokens null when the request leaves it to the server (16 for completions, the rest of the context for chat)
 */
record RequestParams(String model, boolean stream, boolean includeUsage, Integer maxTokens, double temperature, double topP, int topK,
                     double repetitionPenalty, List<String> stop, long seed) {

    /** Reads and checks the shared fields of {@code f}; {@code chat} selects the chat endpoint's variants. */
    static RequestParams read(RequestFields f, boolean chat) {
        if (!f.has("model")) throw new OpenAiError(400, "invalid_request_error", "you must provide a model parameter", "model", "missing_required_parameter");
        String model = f.string("model", null);
        boolean stream = f.flag("stream", false);
        boolean includeUsage = false;
        JsonObject so = f.object("stream_options");
        if (so != null && so.has("include_usage") && !so.get("include_usage").isJsonNull()) {
            JsonElement iu = so.get("include_usage");
            if (!iu.isJsonPrimitive() || !iu.getAsJsonPrimitive().isBoolean())
                throw OpenAiError.invalid("stream_options.include_usage", "stream_options.include_usage must be true or false");
            includeUsage = iu.getAsBoolean();
        }
        Long max = f.integer("max_tokens", Integer.MIN_VALUE, Integer.MAX_VALUE);
        Long maxCompletion = f.integer("max_completion_tokens", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (maxCompletion != null) max = maxCompletion;
        if (max != null && max < 1)
            throw OpenAiError.invalid(maxCompletion != null ? "max_completion_tokens" : "max_tokens", "max_tokens must be at least 1, got " + max);
        double temperature = f.number("temperature", 1);
        if (temperature < 0 || temperature > 2)
            throw OpenAiError.invalid("temperature", "temperature must be between 0 and 2, got " + f.get("temperature"));
        double topP = f.number("top_p", 1);
        if (!(topP > 0 && topP <= 1)) throw OpenAiError.invalid("top_p", "top_p must be in (0, 1], got " + f.get("top_p"));
        Long topK = f.integer("top_k", -1, Integer.MAX_VALUE); // vLLM's extension; -1 and 0 both mean all tokens
        double repetition = f.number("repetition_penalty", 1);
        if (!(repetition > 0 && repetition <= 10))
            throw OpenAiError.invalid("repetition_penalty", "repetition_penalty must be in (0, 10], got " + f.get("repetition_penalty"));
        List<String> stop = f.strings("stop");
        if (stop.size() > 4) throw OpenAiError.invalid("stop", "stop holds " + stop.size() + " sequences; at most 4 are allowed");
        for (String s : stop) if (s.isEmpty()) throw OpenAiError.invalid("stop", "a stop sequence must not be empty");
        Long seed = f.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
        refuseUnsupported(f, chat);
        return new RequestParams(model, stream, includeUsage, max == null ? null : (int) (long) max, temperature, topP,
                topK == null || topK < 0 ? 0 : (int) (long) topK, repetition, List.copyOf(stop),
                seed != null ? seed : ThreadLocalRandom.current().nextLong());
    }

    /** The sampling parameters with {@code maxTokens} decided. */
    SamplingParams sampling(int maxTokens) {
        return new SamplingParams(maxTokens, temperature, topP, topK, repetitionPenalty, stop, seed);
    }

    private static void refuseUnsupported(RequestFields f, boolean chat) {
        Long n = f.integer("n", 1, 128);
        if (n != null && n != 1) throw OpenAiError.unsupported("n", "n must be 1: this server returns one choice per request");
        for (String penalty : List.of("presence_penalty", "frequency_penalty"))
            if (f.number(penalty, 0) != 0)
                throw OpenAiError.unsupported(penalty, penalty + " is not supported; use repetition_penalty (Hugging Face's, 1 is off)");
        JsonObject bias = f.object("logit_bias");
        if (bias != null && !bias.isEmpty()) throw OpenAiError.unsupported("logit_bias", "logit_bias is not supported");
        if (chat) {
            if (f.flag("logprobs", false)) throw OpenAiError.unsupported("logprobs", "logprobs is not supported");
            if (f.has("top_logprobs")) throw OpenAiError.unsupported("top_logprobs", "top_logprobs is not supported");
            var tools = f.array("tools");
            if (tools != null && !tools.isEmpty()) throw OpenAiError.unsupported("tools", "tools (function calling) are not supported");
            var functions = f.array("functions");
            if (functions != null && !functions.isEmpty()) throw OpenAiError.unsupported("functions", "functions are not supported");
            JsonElement choice = f.get("tool_choice");
            boolean noTools = choice == null || choice.isJsonPrimitive() && List.of("none", "auto").contains(choice.getAsString());
            if (!noTools) throw OpenAiError.unsupported("tool_choice", "tool_choice must be 'none' or 'auto': tools are not supported");
            JsonObject format = f.object("response_format");
            if (format != null && !(format.has("type") && format.get("type").isJsonPrimitive() && format.get("type").getAsString().equals("text")))
                throw OpenAiError.unsupported("response_format", "response_format must be {\"type\": \"text\"}: JSON modes are not supported");
            JsonElement modalities = f.get("modalities");
            if (modalities != null && !modalities.toString().equals("[\"text\"]"))
                throw OpenAiError.unsupported("modalities", "only text output is supported");
        } else {
            if (f.has("logprobs") && f.integer("logprobs", 0, 5) != null) throw OpenAiError.unsupported("logprobs", "logprobs is not supported");
            if (f.flag("echo", false)) throw OpenAiError.unsupported("echo", "echo is not supported");
            Long bestOf = f.integer("best_of", 1, 20);
            if (bestOf != null && bestOf != 1) throw OpenAiError.unsupported("best_of", "best_of must be 1");
            String suffix = f.string("suffix", null);
            if (suffix != null && !suffix.isEmpty()) throw OpenAiError.unsupported("suffix", "suffix (insertion) is not supported");
        }
    }
}
