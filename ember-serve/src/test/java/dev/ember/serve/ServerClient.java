package dev.ember.serve;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client for the server's raw answers (the tests of what OpenAI clients do not show). */
final class ServerClient {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String key;

    record Reply(int status, String contentType, String body) {
        JsonObject json() { return JsonParser.parseString(body).getAsJsonObject(); }

        JsonObject error() { return json().getAsJsonObject("error"); }
    }

    ServerClient(OpenAiServer server, String key) {
        this.base = "http://127.0.0.1:" + server.port();
        this.key = key;
    }

    Reply get(String path) { return send(HttpRequest.newBuilder(URI.create(base + path)).GET()); }

    Reply post(String path, String json) { return post(path, json, "application/json"); }

    Reply post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private Reply send(HttpRequest.Builder b) {
        if (key != null) b.header("Authorization", "Bearer " + key);
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A streamed answer: the status and the {@code data:} payloads in order. */
    record Stream(int status, List<String> data) {
        List<JsonObject> chunks() {
            List<JsonObject> out = new ArrayList<>();
            for (String d : data) if (!d.equals("[DONE]")) out.add(JsonParser.parseString(d).getAsJsonObject());
            return out;
        }
    }

    Stream stream(String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (key != null) b.header("Authorization", "Bearer " + key);
        try {
            HttpResponse<java.io.InputStream> r = http.send(b.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> data = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: ")) data.add(line.substring(6));
                    else if (!line.isEmpty()) throw new AssertionError("not a server-sent event line: '" + line + "'");
                }
            }
            return new Stream(r.statusCode(), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
