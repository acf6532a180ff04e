package dev.ember.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.serve.ServedModel.ChatPrompt;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions}: the request is checked and tokenized on the
 * HTTP thread, generated on the queue's thread, and written back by the HTTP thread as the text arrives. A write that
 * fails (the client went away) cancels the generation.
 */
final class CompletionRoutes {
    /** OpenAI's default {@code max_tokens} for completions. */
    static final int DEFAULT_COMPLETION_TOKENS = 16;
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final ServeConfig config;
    private final ServedModel model;
    private final GenerationQueue queue;

    CompletionRoutes(ServeConfig config, ServedModel model, GenerationQueue queue) {
        this.config = config;
        this.model = model;
        this.queue = queue;
    }

    void completions(Context ctx) throws InterruptedException, IOException {
        RequestFields f = RequestFields.parse(ctx.body());
        checkModel(f);
        RequestParams p = RequestParams.read(f, false);
        if (!f.has("prompt")) throw new OpenAiError(400, "invalid_request_error", "you must provide a prompt", "prompt", "missing_required_parameter");
        int[] ids = prompt(f.get("prompt"));
        int room = model.contextLength() - ids.length;
        int max = p.maxTokens() != null ? p.maxTokens() : Math.max(1, Math.min(DEFAULT_COMPLETION_TOKENS, room));
        checkContext(ids.length, max, "prompt");
        serve(ctx, new Job(ids, p.sampling(max), List.of()), p, head("cmpl-", "text_completion"), false);
    }

    void chat(Context ctx) throws InterruptedException, IOException {
        RequestFields f = RequestFields.parse(ctx.body());
        checkModel(f);
        RequestParams p = RequestParams.read(f, true);
        List<ChatMessage> messages = messages(f);
        ChatPrompt prompt;
        try {
            prompt = model.chatPrompt(messages);
        } catch (IllegalArgumentException e) {
            throw OpenAiError.invalid("messages", "the messages cannot be rendered for this model: " + e.getMessage());
        }
        int room = model.contextLength() - prompt.ids().length;
        int max = p.maxTokens() != null ? p.maxTokens() : Math.max(1, room); // OpenAI's default: the rest of the context
        checkContext(prompt.ids().length, max, "messages");
        serve(ctx, new Job(prompt.ids(), p.sampling(max), prompt.stops()), p, head("chatcmpl-", "chat.completion"), true);
    }

    private Responses.Head head(String prefix, String object) {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return new Responses.Head(prefix + HexFormat.of().formatHex(b), object, System.currentTimeMillis() / 1000, config.modelName());
    }

    private void checkModel(RequestFields f) {
        if (!f.has("model")) throw new OpenAiError(400, "invalid_request_error", "you must provide a model parameter", "model", "missing_required_parameter");
        String name = f.string("model", null);
        if (!name.equals(config.modelName())) throw OpenAiServer.modelNotFound(name);
    }

    private void checkContext(int promptTokens, int maxTokens, String param) {
        int context = model.contextLength();
        if (promptTokens + (long) maxTokens > context)
            throw new OpenAiError(400, "invalid_request_error", "This model's maximum context length is " + context + " tokens. However, you requested "
                    + (promptTokens + (long) maxTokens) + " tokens (" + promptTokens + " in the " + param + ", " + maxTokens
                    + " in the completion). Please reduce the length of the " + param + " or completion.", param, "context_length_exceeded");
    }

    /** A completion prompt: a string, or token ids, or a list holding one of them (one prompt per request). */
    private int[] prompt(JsonElement e) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            if (a.isEmpty()) throw OpenAiError.invalid("prompt", "the prompt is empty");
            JsonElement first = a.get(0);
            if (first.isJsonPrimitive() && first.getAsJsonPrimitive().isNumber()) return ids(a);
            if (a.size() != 1) throw OpenAiError.unsupported("prompt", "one prompt per request: the list holds " + a.size());
            return prompt(first);
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
            throw OpenAiError.invalid("prompt", "prompt must be a string or a list of token ids, got " + RequestFields.kind(e));
        String text = e.getAsString();
        if (text.isEmpty()) throw OpenAiError.invalid("prompt", "the prompt is empty");
        int[] ids;
        try {
            ids = model.encode(text);
        } catch (IllegalArgumentException ex) {
            throw OpenAiError.invalid("prompt", "the prompt cannot be tokenized for this model: " + ex.getMessage());
        }
        if (ids.length == 0) throw OpenAiError.invalid("prompt", "the prompt has no tokens");
        return ids;
    }

    private int[] ids(JsonArray a) {
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || x.getAsDouble() != Math.rint(x.getAsDouble())
                    || Math.abs(x.getAsDouble()) > Integer.MAX_VALUE)
                throw OpenAiError.invalid("prompt", "prompt[" + i + "] must be a token id, got " + x);
            ids[i] = x.getAsInt();
        }
        try {
            model.checkIds(ids);
        } catch (IllegalArgumentException ex) {
            throw OpenAiError.invalid("prompt", ex.getMessage());
        }
        return ids;
    }

    /** The conversation: {@code system} (or {@code developer}), {@code user} and {@code assistant} messages of text. */
    private static List<ChatMessage> messages(RequestFields f) {
        if (!f.has("messages"))
            throw new OpenAiError(400, "invalid_request_error", "you must provide messages", "messages", "missing_required_parameter");
        JsonArray a = f.array("messages");
        if (a.isEmpty()) throw OpenAiError.invalid("messages", "messages is empty; it needs at least one message");
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String where = "messages[" + i + "]";
            if (!a.get(i).isJsonObject()) throw OpenAiError.invalid(where, where + " must be an object with role and content");
            JsonObject m = a.get(i).getAsJsonObject();
            JsonElement role = m.get("role");
            if (role == null || !role.isJsonPrimitive()) throw OpenAiError.invalid(where + ".role", where + " needs a role");
            String r = role.getAsString();
            if (r.equals("developer")) r = "system"; // OpenAI's newer name for system instructions
            if (r.equals("tool") || r.equals("function"))
                throw OpenAiError.unsupported(where + ".role", where + ": '" + r + "' messages are not supported (no tools)");
            if (!List.of("system", "user", "assistant").contains(r))
                throw OpenAiError.invalid(where + ".role", where + ".role must be system, developer, user or assistant, got '" + r + "'");
            if (m.has("tool_calls") && !m.get("tool_calls").isJsonNull())
                throw OpenAiError.unsupported(where + ".tool_calls", where + ": tool calls are not supported");
            out.add(new ChatMessage(r, content(m.get("content"), where + ".content")));
        }
        return out;
    }

    /** A message's text: a string, or a list of {@code {"type": "text", "text": ...}} parts joined. */
    private static String content(JsonElement c, String where) {
        if (c == null || c.isJsonNull()) throw OpenAiError.invalid(where, where + " is missing");
        if (c.isJsonPrimitive() && c.getAsJsonPrimitive().isString()) return c.getAsString();
        if (!c.isJsonArray()) throw OpenAiError.invalid(where, where + " must be a string or a list of text parts, got " + RequestFields.kind(c));
        StringBuilder sb = new StringBuilder();
        for (JsonElement part : c.getAsJsonArray()) {
            JsonObject p = part.isJsonObject() ? part.getAsJsonObject() : null;
            String type = p != null && p.has("type") && p.get("type").isJsonPrimitive() ? p.get("type").getAsString() : null;
            if (!"text".equals(type))
                throw OpenAiError.unsupported(where, where + ": only text parts are supported, got " + (type == null ? RequestFields.kind(part) : "'" + type + "'"));
            JsonElement text = p.get("text");
            if (text == null || !text.isJsonPrimitive()) throw OpenAiError.invalid(where, where + ": a text part needs its text");
            sb.append(text.getAsString());
        }
        return sb.toString();
    }

    /** Queues the job and answers: the whole completion, or its chunks as server-sent events. */
    private void serve(Context ctx, Job job, RequestParams p, Responses.Head h, boolean chat)
            throws InterruptedException, IOException {
        queue.submit(job);
        if (!p.stream()) {
            Completion c = awaitEnd(job);
            OpenAiServer.json(ctx, chat ? Responses.chat(h, c) : Responses.completion(h, c));
            return;
        }
        h = new Responses.Head(h.id(), chat ? "chat.completion.chunk" : "text_completion", h.created(), h.model());
        ctx.status(200).contentType("text/event-stream; charset=utf-8");
        ctx.header("Cache-Control", "no-cache");
        ctx.header("X-Accel-Buffering", "no"); // a proxy in front must not hold the chunks back
        // the servlet's own stream: Javalin's ctx.outputStream() wrapper does not pass flush() on, so chunks would wait
        OutputStream out = ctx.res().getOutputStream();
        boolean ended = false;
        try {
            if (chat) send(out, Responses.chatChunk(h, "assistant", "", null));
            while (!ended) {
                switch (job.next()) {
                    case Job.Text t -> send(out, chat ? Responses.chatChunk(h, null, t.text(), null) : Responses.completionChunk(h, t.text(), null));
                    case Job.Done d -> {
                        ended = true;
                        Completion c = d.completion();
                        if (c.finish() == Completion.Finish.CANCELLED) return;
                        String finish = c.finish().openAi();
                        send(out, chat ? Responses.chatChunk(h, null, null, finish) : Responses.completionChunk(h, "", finish));
                        if (p.includeUsage()) send(out, Responses.usageChunk(h, c));
                        out.write(DONE);
                        out.flush();
                    }
                    case Job.Failed e -> {
                        ended = true;
                        send(out, error(e.error()).toJson());
                        out.write(DONE);
                        out.flush();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (Jetty reports it as an IOException, or wrapped): nothing more can be sent
        } finally {
            if (!ended) job.cancel(); // stop generating for a client that is gone
        }
    }

    private static void send(OutputStream out, JsonObject chunk) throws IOException {
        out.write(("data: " + OpenAiServer.GSON.toJson(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Completion awaitEnd(Job job) throws InterruptedException {
        try {
            while (true) {
                switch (job.next()) {
                    case Job.Text t -> { }
                    case Job.Done d -> {
                        if (d.completion().finish() == Completion.Finish.CANCELLED)
                            throw new OpenAiError(503, "server_error", "the server is stopping", null, null);
                        return d.completion();
                    }
                    case Job.Failed e -> throw error(e.error());
                }
            }
        } catch (InterruptedException e) {
            job.cancel();
            throw e;
        }
    }

    private static OpenAiError error(RuntimeException e) {
        if (e instanceof OpenAiError o) return o;
        if (e instanceof IllegalArgumentException) return OpenAiError.invalid(null, e.getMessage());
        return new OpenAiError(500, "server_error", "generation failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), null, null);
    }
}
