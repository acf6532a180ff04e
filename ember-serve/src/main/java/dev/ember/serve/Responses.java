package dev.ember.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * The JSON shapes of OpenAI's answers: {@code text_completion} and {@code chat.completion} objects, their streamed
 * chunks ({@code choices[].text} / {@code choices[].delta}, {@code finish_reason} on the last), and {@code usage}.
 */
final class Responses {
    private Responses() {}

    /** The fields every answer of one request shares. */
    record Head(String id, String object, long created, String model) {
        JsonObject start() {
            JsonObject o = new JsonObject();
            o.addProperty("id", id);
            o.addProperty("object", object);
            o.addProperty("created", created);
            o.addProperty("model", model);
            return o;
        }
    }

    static JsonObject usage(int prompt, int completion) {
        JsonObject u = new JsonObject();
        u.addProperty("prompt_tokens", prompt);
        u.addProperty("completion_tokens", completion);
        u.addProperty("total_tokens", prompt + completion);
        return u;
    }

    /** A whole {@code text_completion}. */
    static JsonObject completion(Head h, Completion c) {
        JsonObject o = h.start();
        o.add("choices", one(textChoice(c.text(), c.finish().openAi())));
        o.add("usage", usage(c.promptTokens(), c.completionTokens()));
        return o;
    }

    /** A streamed {@code text_completion} chunk; {@code finish} is null until the last. */
    static JsonObject completionChunk(Head h, String text, String finish) {
        JsonObject o = h.start();
        o.add("choices", one(textChoice(text, finish)));
        return o;
    }

    private static JsonObject textChoice(String text, String finish) {
        JsonObject c = new JsonObject();
        c.addProperty("text", text);
        c.addProperty("index", 0);
        c.add("logprobs", null);
        c.addProperty("finish_reason", finish);
        return c;
    }

    /** A whole {@code chat.completion}. */
    static JsonObject chat(Head h, Completion c) {
        JsonObject message = new JsonObject();
        message.addProperty("role", "assistant");
        message.addProperty("content", c.text());
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("message", message);
        choice.add("logprobs", null);
        choice.addProperty("finish_reason", c.finish().openAi());
        JsonObject o = h.start();
        o.add("choices", one(choice));
        o.add("usage", usage(c.promptTokens(), c.completionTokens()));
        return o;
    }

    /**
     * A {@code chat.completion.chunk}: the first carries {@code delta.role}, the middle ones {@code delta.content}, the
     * last an empty delta and the {@code finish_reason}.
     */
    static JsonObject chatChunk(Head h, String role, String content, String finish) {
        JsonObject delta = new JsonObject();
        if (role != null) delta.addProperty("role", role);
        if (content != null) delta.addProperty("content", content);
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        choice.add("delta", delta);
        choice.add("logprobs", null);
        choice.addProperty("finish_reason", finish);
        JsonObject o = h.start();
        o.add("choices", one(choice));
        return o;
    }

    /** The chunk that {@code stream_options.include_usage} adds before {@code [DONE]}: no choices, the usage. */
    static JsonObject usageChunk(Head h, Completion c) {
        JsonObject o = h.start();
        o.add("choices", new JsonArray());
        o.add("usage", usage(c.promptTokens(), c.completionTokens()));
        return o;
    }

    private static JsonArray one(JsonObject o) {
        JsonArray a = new JsonArray();
        a.add(o);
        return a;
    }
}
