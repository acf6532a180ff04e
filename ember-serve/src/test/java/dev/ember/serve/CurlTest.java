package dev.ember.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Device;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's raw server-sent events as {@code curl -N} receives them (the wire format that every OpenAI client
 * parses): {@code data: {json}} events separated by blank lines, each chunk sent as soon as its token is chosen,
 * {@code data: [DONE]} last; and an error answered as JSON with its status.
 */
class CurlTest {
    @TempDir
    static Path tmp;
    static OpenAiServer server;

    @BeforeAll
    static void start() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed (apt-get install curl)");
        server = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "tiny", 2),
                LocalModel.load(TinyModels.write(tmp.resolve("tiny"), 128, 3), null, Device.cpu())).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** Runs curl with {@code args}; returns its standard output. */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/curl", "-sS", "--max-time", "60"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "curl ended");
        assertEquals(0, p.exitValue(), "curl's exit code; output: " + out);
        return out;
    }

    @Test
    void streamedChatIsServerSentEventsEndingWithDone() throws Exception {
        String out = curl("-N", "-H", "Content-Type: application/json", "-d",
                "{\"model\":\"tiny\",\"stream\":true,\"temperature\":0,\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
                server.baseUrl() + "/chat/completions");
        assertTrue(out.endsWith("data: [DONE]\n\n"), out);
        String[] events = out.split("\n\n");
        assertTrue(events.length >= 4, "role, content chunks, finish, [DONE]: " + out);
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < events.length - 1; i++) {
            assertTrue(events[i].startsWith("data: {") && !events[i].contains("\n"), "one data line per event: " + events[i]);
            JsonObject chunk = JsonParser.parseString(events[i].substring(6)).getAsJsonObject();
            assertEquals("chat.completion.chunk", chunk.get("object").getAsString());
            JsonObject delta = chunk.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
            if (delta.has("content")) content.append(delta.get("content").getAsString());
        }
        String whole = curl("-H", "Content-Type: application/json", "-d",
                "{\"model\":\"tiny\",\"temperature\":0,\"max_tokens\":12,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}",
                server.baseUrl() + "/chat/completions");
        JsonObject o = JsonParser.parseString(whole).getAsJsonObject();
        assertEquals(o.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("message").get("content").getAsString(), content.toString());
    }

    @Test
    void aBadRequestIsAJsonErrorWithItsStatus() throws Exception {
        String out = curl("-w", "\n%{http_code} %{content_type}", "-H", "Content-Type: application/json", "-d",
                "{\"model\":\"tiny\",\"prompt\":\"hi\",\"temperature\":-1}", server.baseUrl() + "/completions");
        String[] parts = out.split("\n");
        assertTrue(parts[1].startsWith("400 application/json"), out);
        JsonObject e = JsonParser.parseString(parts[0]).getAsJsonObject().getAsJsonObject("error");
        assertEquals("temperature", e.get("param").getAsString());
        assertEquals("invalid_request_error", e.get("type").getAsString());
        String models = curl(server.baseUrl() + "/models");
        assertEquals("tiny", JsonParser.parseString(models).getAsJsonObject().getAsJsonArray("data").get(0).getAsJsonObject().get("id").getAsString());
    }
}
