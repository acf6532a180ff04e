package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.llm.tune.LoraAdapter;
import dev.ember.llm.tune.LoraConfig;
import dev.ember.llm.tune.LoraLayer;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.serve.LocalModel;
import dev.ember.serve.SamplingParams;
import dev.ember.serve.ServedModel;
import dev.ember.studio.chat.ChatModel;
import dev.ember.studio.chat.ChatModelProvider;
import dev.ember.studio.chat.ChatService;
import dev.ember.studio.chat.Sampling;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat tab's API with Ember's own GPT (found by the studio's ServiceLoader): a model folder under the data root
 * is loaded, a reply streamed token by token equals the model's greedy reply, paths outside the roots are refused, and
 * the OpenAI-compatible server is started from the page as a child process, answers a chat request, and is stopped;
 * a model loaded with a LoRA adapter is exported with the adapter merged, and the export answers as base + adapter.
 */
class ChatTabTest {
    @TempDir Path tmp;

    @Test
    void chatsWithATinyGptAndServesItFromThePage() throws Exception {
        try (TestStudio s = new TestStudio(tmp, null, new ChatService())) {
            Path dir = TinyChatModel.write(s.dataRoot.resolve("tiny-chat"));
            assertTrue(s.get("/api/chat").object().get("providers").toString().contains("ember-gpt"));
            assertEquals(403, s.post("/api/chat/load", "{\"weights\":\"/etc\"}").status());
            assertEquals(400, s.post("/api/chat/load", "{\"weights\":\"tiny-chat\",\"chat_template\":\"/etc/passwd\"}").status());
            TestStudio.Reply loaded = s.post("/api/chat/load", "{\"weights\":\"tiny-chat\"}");
            assertEquals(200, loaded.status(), loaded.body());
            assertTrue(loaded.object().get("loaded").getAsString().contains("GPT 2x32"), loaded.body());

            TestStudio.Reply r = s.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0,"
                    + "\"max_new_tokens\":20}");
            assertEquals(200, r.status(), r.body());
            StringBuilder reply = new StringBuilder();
            int pieces = 0;
            for (String line : r.body().split("\n"))
                if (line.startsWith("data: ") && line.contains("\"text\"")) {
                    reply.append(JsonParser.parseString(line.substring(6)).getAsJsonObject().get("text").getAsString());
                    pieces++;
                }
            LocalModel reference = LocalModel.load(dir, null, Device.cpu());
            ServedModel.ChatPrompt prompt = reference.chatPrompt(List.of(ChatMessage.user("Hello")));
            String expected = reference.generate(prompt.ids(), new SamplingParams(20, 0, 1, 0, 1, List.of(), 0), prompt.stops(), t -> { }, () -> false).text();
            assertEquals(expected, reply.toString());
            assertTrue(pieces > 3, "streamed piece by piece: " + pieces);
            assertTrue(r.body().contains("event: done"));

            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            TestStudio.Reply started = s.post("/api/serve/start", "{\"weights\":\"tiny-chat\",\"port\":" + port + "}");
            assertEquals(200, started.status(), started.body());
            assertEquals(409, s.post("/api/serve/start", "{\"weights\":\"tiny-chat\",\"port\":" + port + "}").status(), "one server at a time");
            JsonObject st = started.object();
            for (int i = 0; i < 600 && st.get("state").getAsString().equals("starting"); i++) {
                Thread.sleep(200);
                st = s.get("/api/serve").object();
            }
            assertEquals("serving", st.get("state").getAsString(), st.toString());
            assertEquals("http://127.0.0.1:" + port + "/v1", st.get("url").getAsString());
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(st.get("url").getAsString() + "/chat/completions"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"tiny-chat\",\"temperature\":0,\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(expected, JsonParser.parseString(answer.body()).getAsJsonObject().getAsJsonArray("choices").get(0).getAsJsonObject()
                    .getAsJsonObject("message").get("content").getAsString(), "the child process serves the same model");
            long pid = st.get("pid").getAsLong();
            TestStudio.Reply stopped = s.post("/api/serve/stop", "");
            assertEquals(200, stopped.status(), stopped.body());
            assertEquals("stopped", stopped.object().get("state").getAsString());
            assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the server's process has ended");
            assertEquals(409, s.post("/api/serve/stop", "").status());
        }
    }

    /** The greedy reply to "Hello" streamed by the studio. */
    private static String reply(TestStudio s) {
        TestStudio.Reply r = s.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0,"
                + "\"max_new_tokens\":20}");
        assertEquals(200, r.status(), r.body());
        StringBuilder text = new StringBuilder();
        for (String line : r.body().split("\n"))
            if (line.startsWith("data: ") && line.contains("\"text\"")) text.append(JsonParser.parseString(line.substring(6)).getAsJsonObject().get("text").getAsString());
        return text.toString();
    }

    @Test
    void aModelWithAnAdapterIsExportedMergedAndLoadsBack() throws Exception {
        try (TestStudio s = new TestStudio(tmp, null, new ChatService())) {
            Path dir = TinyChatModel.write(s.dataRoot.resolve("base"));
            GPT gpt = Gpt2Checkpoint.load(dir);
            LoraAdapter lora = LoraAdapter.attach(gpt, LoraConfig.of(4, 8, 0, "c_attn"));
            Ember.manualSeed(8);
            try (var ignored = Ember.noGrad()) {
                for (LoraLayer l : lora.layers()) l.b().copyFrom(Tensor.randn(l.b().shape()).mul(0.5));
            }
            lora.save(s.dataRoot.resolve("lora"), "base");

            assertEquals(200, s.post("/api/chat/load", "{\"weights\":\"base\"}").status());
            assertFalse(s.get("/api/chat").object().get("can_export").getAsBoolean(), "nothing to merge without an adapter");
            String plain = reply(s);
            assertEquals(200, s.post("/api/chat/load", "{\"weights\":\"base\",\"adapter\":\"lora\"}").status());
            assertTrue(s.get("/api/chat").object().get("can_export").getAsBoolean());
            String adapted = reply(s);
            assertNotEquals(plain, adapted, "the adapter changes the replies");

            assertEquals(400, s.post("/api/chat/export", "{\"name\":\"../escape\"}").status());
            TestStudio.Reply exported = s.post("/api/chat/export", "{\"name\":\"base-merged\"}");
            assertEquals(200, exported.status(), exported.body());
            assertEquals(s.runsDir.resolve("exports").resolve("base-merged").toAbsolutePath().normalize(),
                    Path.of(exported.object().get("path").getAsString()).toAbsolutePath().normalize());
            assertEquals(409, s.post("/api/chat/export", "{\"name\":\"base-merged\"}").status(), "an existing folder is not overwritten");
            assertEquals(200, s.post("/api/chat/load", "{\"weights\":\"" + exported.object().get("weights").getAsString() + "\"}").status());
            assertEquals(adapted, reply(s), "the merged folder answers as base + adapter");
        }
    }

    /** A model that sends one token, then waits until the test has received it before it sends the next. */
    static final class HandshakeProvider implements ChatModelProvider {
        final CountDownLatch received = new CountDownLatch(1);

        @Override public String name() { return "handshake"; }

        @Override public boolean accepts(Path weights) { return weights.getFileName().toString().endsWith(".handshake"); }

        @Override public ChatModel load(Path weights, Path adapter) {
            return new ChatModel() {
                @Override public String description() { return "handshake"; }

                @Override public int generate(List<dev.ember.studio.chat.ChatMessage> messages, Sampling sampling, Consumer<String> onToken,
                                              BooleanSupplier cancelled) {
                    onToken.accept("first");
                    try {
                        if (!received.await(60, TimeUnit.SECONDS)) return 1; // the page never saw it: the stream was held back
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    onToken.accept(" second");
                    return 2;
                }

                @Override public void exportMerged(Path dir) { throw new UnsupportedOperationException(); }
            };
        }
    }

    @Test
    void eachTokenReachesThePageBeforeTheNextIsGenerated() throws Exception {
        HandshakeProvider provider = new HandshakeProvider();
        try (TestStudio s = new TestStudio(tmp, null, new ChatService(List.of(provider)))) {
            java.nio.file.Files.writeString(s.dataRoot.resolve("m.handshake"), "");
            assertEquals(200, s.post("/api/chat/load", "{\"weights\":\"m.handshake\"}").status());
            HttpResponse<java.io.InputStream> r = s.http.send(HttpRequest.newBuilder(URI.create(s.base() + "/api/chat/stream"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> tokens = new ArrayList<>();
            try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (!line.startsWith("data: ") || !line.contains("\"text\"")) continue;
                    tokens.add(JsonParser.parseString(line.substring(6)).getAsJsonObject().get("text").getAsString());
                    provider.received.countDown(); // only now may the model go on
                }
            }
            assertEquals(List.of("first", " second"), tokens, "the first token arrived while the model was still generating");
        }
    }
}
