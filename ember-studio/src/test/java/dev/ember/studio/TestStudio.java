package dev.ember.studio;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.studio.chat.ChatService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A studio on a free loopback port over temporary directories, and a small HTTP client for its API. */
final class TestStudio implements AutoCloseable {
    final Path dataRoot;
    final Path runsDir;
    final Studio studio;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    final String token;

    record Reply(int status, String body) {
        JsonElement json() { return JsonParser.parseString(body); }

        JsonObject object() { return json().getAsJsonObject(); }
    }

    TestStudio(Path tmp, String token, ChatService chat) {
        try {
            dataRoot = Files.createDirectories(tmp.resolve("data"));
            runsDir = tmp.resolve("runs");
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        this.token = token;
        studio = new Studio(new StudioConfig("127.0.0.1", 0, token, List.of(dataRoot), runsDir, 1 << 16), chat, null).start();
    }

    TestStudio(Path tmp) { this(tmp, null, new ChatService(List.of())); }

    String base() { return "http://127.0.0.1:" + studio.port(); }

    Reply get(String path) { return send(HttpRequest.newBuilder(URI.create(base() + path)).GET(), Map.of()); }

    Reply post(String path, String json) { return post(path, json, Map.of()); }

    Reply post(String path, String json, Map<String, String> headers) {
        return send(HttpRequest.newBuilder(URI.create(base() + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), headers);
    }

    Reply delete(String path) { return send(HttpRequest.newBuilder(URI.create(base() + path)).DELETE(), Map.of()); }

    Reply send(HttpRequest.Builder b, Map<String, String> headers) {
        if (token != null && !headers.containsKey("X-Ember-Token")) b.header("X-Ember-Token", token);
        headers.forEach((k, v) -> { if (!v.isEmpty()) b.header(k, v); });
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.body());
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Polls run {@code id} until its state is final (or {@code seconds} pass) and returns its summary. */
    JsonObject awaitEnd(String id, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        JsonObject s;
        do {
            s = get("/api/runs/" + id).object();
            String st = s.get("state").getAsString();
            if (!st.equals("running") && !st.equals("created")) return s;
            Thread.sleep(300);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("run " + id + " still " + s.get("state") + " after " + seconds + " s; log tail: " + s.get("tail"));
    }

    @Override
    public void close() { studio.close(); }
}
