package dev.ember.studio.web;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.studio.ApiError;
import dev.ember.studio.Json;
import dev.ember.studio.PathGuard;
import dev.ember.studio.chat.ChatMessage;
import dev.ember.studio.chat.ChatService;
import dev.ember.studio.chat.Sampling;
import dev.ember.studio.chat.ServerProcess;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat tab: load a language model (with an adapter and a chat template) from the runs or data roots, stream a
 * reply token by token ({@code text/event-stream} over POST: {@code token} events, then {@code done}; a page that
 * stops reading cancels the generation), export merged weights where the model can, and start and stop the
 * OpenAI-compatible server for a model folder ({@code /api/serve}: a child process on loopback).
 */
final class ChatRoutes {
    private final ChatService chat;
    private final PathGuard weightsRoots;
    private final Path runsDir;
    private final ServerProcess server;

    ChatRoutes(ChatService chat, PathGuard weightsRoots, Path runsDir, ServerProcess server) {
        this.chat = chat;
        this.weightsRoots = weightsRoots;
        this.runsDir = runsDir;
        this.server = server;
    }

    void register(RoutesConfig r) {
        r.get("/api/chat", ctx -> {
            Map<String, Object> m = new HashMap<>();
            m.put("providers", chat.providers());
            m.put("loaded", chat.loaded());
            m.put("available", !chat.providers().isEmpty());
            m.put("can_export", chat.canExport());
            Http.json(ctx, m);
        });
        r.post("/api/chat/load", ctx -> {
            JsonObject b = Http.body(ctx, "chat load");
            Path weights = weightsRoots.resolveExisting("weights", Http.string(b, "weights", null));
            String adapterName = Http.string(b, "adapter", "");
            Path adapter = adapterName.isBlank() ? null : weightsRoots.resolveExisting("adapter", adapterName);
            Http.json(ctx, Map.of("loaded", chat.load(weights, adapter, template(b))));
        });
        r.get("/api/serve", ctx -> Http.json(ctx, server.status()));
        r.post("/api/serve/start", ctx -> {
            JsonObject b = Http.body(ctx, "serve");
            Path weights = weightsRoots.resolveExisting("weights", Http.string(b, "weights", null));
            Path dir = java.nio.file.Files.isDirectory(weights) ? weights : weights.getParent();
            if (!java.nio.file.Files.isRegularFile(dir.resolve("config.json")))
                throw ApiError.badRequest("weights: " + dir.getFileName() + " is not a model folder (config.json, model.safetensors, tokenizer)");
            String adapterName = Http.string(b, "adapter", "");
            Path adapter = adapterName.isBlank() ? null : weightsRoots.resolveExisting("adapter", adapterName);
            Http.json(ctx, server.start(dir, adapter, Http.integer(b, "port", 8000), template(b)));
        });
        r.post("/api/serve/stop", ctx -> Http.json(ctx, server.stop()));
        r.post("/api/chat/export", ctx -> {
            JsonObject b = Http.body(ctx, "chat export");
            Path dir = PathGuard.newFileIn(runsDir.resolve("exports"), "name", Http.string(b, "name", "merged"));
            if (java.nio.file.Files.exists(dir)) throw ApiError.conflict("name: " + dir.getFileName() + " already exists in " + dir.getParent());
            java.nio.file.Files.createDirectories(dir.getParent());
            chat.exportMerged(dir);
            Http.json(ctx, Map.of("path", dir.toString(), "weights", runsDir.relativize(dir).toString()));
        });
        r.post("/api/chat/stream", ctx -> {
            JsonObject b = Http.body(ctx, "chat");
            List<ChatMessage> messages = messages(b.get("messages"));
            Sampling s;
            try {
                s = new Sampling(Http.real(b, "temperature", 0.8), Http.integer(b, "top_k", 40), Http.real(b, "top_p", 0.95),
                        Http.integer(b, "max_new_tokens", 256), Http.integer(b, "seed", 0));
            } catch (IllegalArgumentException ex) {
                throw ApiError.badRequest(ex.getMessage());
            }
            if (chat.loaded() == null) throw ApiError.conflict(chat.providers().isEmpty()
                    ? "chat: this build has no language model provider" : "chat: load a model first");
            ctx.contentType("text/event-stream; charset=utf-8");
            ctx.header("Cache-Control", "no-cache");
            // the servlet's own stream: Javalin's ctx.outputStream() wrapper does not pass flush() on, so tokens would wait
            OutputStream out = ctx.res().getOutputStream();
            int[] count = {0};
            boolean[] gone = {false};
            chat.generate(messages, s, token -> {
                try {
                    out.write(("event: token\ndata: " + Json.write(Map.of("text", token)) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    count[0]++;
                } catch (IOException | RuntimeException ex) {
                    gone[0] = true; // the page stopped listening (Stop, or it went away): cancel
                }
            }, () -> gone[0]);
            if (!gone[0]) {
                try {
                    out.write(("event: done\ndata: " + Json.write(Map.of("tokens", count[0])) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        });
    }

    /** The chat template asked for: empty (the model's own) or {@code chatml}. */
    private static String template(JsonObject b) {
        String t = Http.string(b, "chat_template", "");
        if (!t.isEmpty() && !t.equals("chatml")) throw ApiError.badRequest("chat_template: must be empty (the model's own) or chatml, got '" + t + "'");
        return t;
    }

    private static List<ChatMessage> messages(JsonElement e) {
        if (e == null || !e.isJsonArray()) throw ApiError.badRequest("messages: expected a list of {role, content}");
        if (e.getAsJsonArray().size() > 200) throw ApiError.badRequest("messages: at most 200");
        List<ChatMessage> out = new ArrayList<>();
        for (JsonElement m : e.getAsJsonArray()) {
            if (!m.isJsonObject()) throw ApiError.badRequest("messages: each message must be an object");
            JsonObject o = m.getAsJsonObject();
            try {
                out.add(new ChatMessage(Http.string(o, "role", ""), Http.string(o, "content", null)));
            } catch (IllegalArgumentException ex) {
                throw ApiError.badRequest(ex.getMessage());
            }
        }
        return out;
    }
}
