package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Ember;
import dev.ember.data.text.CharEncoder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.serve.OpenAiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./ember serve}: serves a model folder; refuses a non-loopback bind without an API key and a missing folder. */
class ServeCommandTest {
    @TempDir Path tmp;

    private Path tinyModel() {
        Path dir = tmp.resolve("tiny-gpt");
        CharEncoder chars = CharEncoder.fit("abcdefghijklmnopqrstuvwxyz .,\n");
        Ember.manualSeed(1);
        Gpt2Checkpoint.save(new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(32).layers(1).width(16).heads(2).build()), dir);
        chars.save(dir.resolve("chars.json"));
        return dir;
    }

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream old = System.err;
        try {
            CommandLine cl = Main.commandLine();
            cl.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
            return Main.execute(cl, args);
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void servesTheFolderUnderItsName() throws Exception {
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--model", tinyModel().toString(), "--port", "0");
        try (OpenAiServer server = cmd.start()) {
            assertTrue(server.baseUrl().startsWith("http://127.0.0.1:"), server.baseUrl());
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("\"id\":\"tiny-gpt\""), r.body());
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutAKeyAndAMissingFolder() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, run(err, "serve", "--model", tinyModel().toString(), "--host", "0.0.0.0", "--port", "0"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--api-key"), err.toString(StandardCharsets.UTF_8));
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertEquals(1, run(err2, "serve", "--model", tmp.resolve("nothing").toString(), "--port", "0"));
        assertTrue(err2.toString(StandardCharsets.UTF_8).contains("--model"), err2.toString(StandardCharsets.UTF_8));
        assertEquals(2, run(new ByteArrayOutputStream(), "serve", "--port", "0"), "--model is required");
    }
}
