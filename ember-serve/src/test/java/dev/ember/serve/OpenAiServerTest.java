package dev.ember.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.Device;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's answers over plain HTTP, against the model's own greedy generation as the reference: completions whole
 * and streamed (the chunks add up to the whole answer), stop sequences, usage counts, seeds; OpenAI-style 4xx errors for
 * bad requests; the API key; a full queue (429); a client that disconnects mid-stream stops its generation.
 */
class OpenAiServerTest {
    static final int CONTEXT = 128;
    @TempDir
    static Path tmp;
    static LocalModel model;
    static OpenAiServer server;
    static ServerClient client;

    @BeforeAll
    static void start() {
        model = LocalModel.load(TinyModels.write(tmp.resolve("tiny"), CONTEXT, 7), null, Device.cpu());
        server = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "tiny", 4), model).start();
        client = new ServerClient(server, null);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** The model's greedy continuation of {@code prompt}, decoded: the reference the server must reproduce. */
    static String greedy(String prompt, int tokens) {
        int[] ids = Generation.generate(model.gpt(), model.encode(prompt), GenerationConfig.builder().maxNewTokens(tokens).build(), null);
        return model.tokenizer().decode(ids);
    }

    @Test
    void listsTheModel() {
        var r = client.get("/v1/models");
        assertEquals(200, r.status());
        JsonObject m = r.json().getAsJsonArray("data").get(0).getAsJsonObject();
        assertEquals("list", r.json().get("object").getAsString());
        assertEquals("tiny", m.get("id").getAsString());
        assertEquals("model", m.get("object").getAsString());
        assertEquals(200, client.get("/v1/models/tiny").status());
        assertEquals("model_not_found", client.get("/v1/models/other").error().get("code").getAsString());
    }

    @Test
    void greedyCompletionIsTheModelsOwnContinuationWithUsage() {
        String prompt = "Once upon a time";
        var r = client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":20,\"temperature\":0}");
        assertEquals(200, r.status(), r.body());
        JsonObject o = r.json();
        assertEquals("text_completion", o.get("object").getAsString());
        assertTrue(o.get("id").getAsString().startsWith("cmpl-"));
        JsonObject choice = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals(greedy(prompt, 20), choice.get("text").getAsString());
        assertEquals("length", choice.get("finish_reason").getAsString());
        JsonObject usage = o.getAsJsonObject("usage");
        assertEquals(prompt.length(), usage.get("prompt_tokens").getAsInt(), "one token per character");
        assertEquals(20, usage.get("completion_tokens").getAsInt());
        assertEquals(prompt.length() + 20, usage.get("total_tokens").getAsInt());
        // a prompt of token ids is the same prompt
        StringBuilder ids = new StringBuilder();
        for (int id : model.encode(prompt)) ids.append(ids.isEmpty() ? "" : ",").append(id);
        var byIds = client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[" + ids + "],\"max_tokens\":20,\"temperature\":0}");
        assertEquals(choice.get("text").getAsString(), byIds.json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString());
    }

    @Test
    void aStopSequenceEndsTheTextBeforeIt() {
        String prompt = "The cat";
        String full = greedy(prompt, 40);
        String stop = full.substring(10, 12);
        String expected = full.substring(0, full.indexOf(stop));
        var r = client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + prompt + "\",\"max_tokens\":40,\"temperature\":0,\"stop\":["
                + OpenAiServer.GSON.toJson(stop) + ",\"\\u0001never\"]}");
        assertEquals(200, r.status(), r.body());
        JsonObject choice = r.json().getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals(expected, choice.get("text").getAsString());
        assertEquals("stop", choice.get("finish_reason").getAsString());
        assertEquals(expected.length() + stop.length(), r.json().getAsJsonObject("usage").get("completion_tokens").getAsInt(),
                "the stop sequence's tokens were generated and are counted");
    }

    @Test
    void streamedChunksAddUpToTheWholeAnswerAndEndWithDone() {
        String body = "{\"model\":\"tiny\",\"prompt\":\"Hello\",\"max_tokens\":24,\"temperature\":0,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}";
        ServerClient.Stream s = client.stream("/v1/completions", body);
        assertEquals(200, s.status());
        assertEquals("[DONE]", s.data().getLast());
        List<JsonObject> chunks = s.chunks();
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (JsonObject c : chunks.subList(0, chunks.size() - 1)) {
            assertEquals("text_completion", c.get("object").getAsString());
            JsonObject choice = c.getAsJsonArray("choices").get(0).getAsJsonObject();
            text.append(choice.get("text").getAsString());
            if (!choice.get("finish_reason").isJsonNull()) finish = choice.get("finish_reason").getAsString();
        }
        assertTrue(chunks.size() > 10, "one chunk per token, not one at the end: " + chunks.size());
        assertEquals(greedy("Hello", 24), text.toString());
        assertEquals("length", finish);
        JsonObject last = chunks.getLast();
        assertTrue(last.getAsJsonArray("choices").isEmpty(), "the usage chunk has no choices");
        assertEquals(24, last.getAsJsonObject("usage").get("completion_tokens").getAsInt());
        assertEquals(1, chunks.stream().map(c -> c.get("id").getAsString()).distinct().count(), "every chunk carries the request's id");
    }

    /** The reply the chat endpoint must give: the greedy continuation of the ChatML prompt, up to {@code <|im_end|>}. */
    static String greedyChat(List<ChatMessage> messages, int tokens) {
        String prompt = ChatTemplate.chatml().render(messages, true);
        String full = greedy(prompt, tokens);
        int end = full.indexOf("<|im_end|>");
        return end < 0 ? full : full.substring(0, end);
    }

    @Test
    void chatRendersTheConversationWithTheModelsTemplate() {
        String body = "{\"model\":\"tiny\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},{\"type\":\"text\",\"text\":\"there\"}]}],"
                + "\"max_tokens\":30,\"temperature\":0}";
        var r = client.post("/v1/chat/completions", body);
        assertEquals(200, r.status(), r.body());
        JsonObject o = r.json();
        assertEquals("chat.completion", o.get("object").getAsString());
        assertTrue(o.get("id").getAsString().startsWith("chatcmpl-"));
        JsonObject choice = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("assistant", choice.getAsJsonObject("message").get("role").getAsString());
        List<ChatMessage> conversation = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi there"));
        assertEquals(greedyChat(conversation, 30), choice.getAsJsonObject("message").get("content").getAsString());
        assertTrue(choice.getAsJsonObject("message").get("content").getAsString().length() > 5, "a reply worth comparing: " + choice);
        String rendered = "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\n";
        assertEquals(rendered.length(), o.getAsJsonObject("usage").get("prompt_tokens").getAsInt(), "ChatML rendered, one token per character");
        // streamed: the role first, then the content in pieces that add up to the same reply, then the finish
        ServerClient.Stream s = client.stream("/v1/chat/completions", body.replace("\"temperature\":0", "\"temperature\":0,\"stream\":true"));
        assertEquals("[DONE]", s.data().getLast());
        List<JsonObject> chunks = s.chunks();
        JsonObject first = chunks.getFirst().getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals("assistant", first.getAsJsonObject("delta").get("role").getAsString());
        StringBuilder text = new StringBuilder();
        for (JsonObject c : chunks) {
            assertEquals("chat.completion.chunk", c.get("object").getAsString());
            JsonObject delta = c.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
            if (delta.has("content")) text.append(delta.get("content").getAsString());
        }
        assertEquals(choice.getAsJsonObject("message").get("content").getAsString(), text.toString());
        JsonObject last = chunks.getLast().getAsJsonArray("choices").get(0).getAsJsonObject();
        assertEquals(choice.get("finish_reason").getAsString(), last.get("finish_reason").getAsString());
        assertTrue(last.getAsJsonObject("delta").isEmpty(), "the last chunk's delta is empty");
    }

    @Test
    void chatWithoutATemplateOrWithBadMessagesIsRefused() {
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\"}"), 400, "messages", "missing_required_parameter");
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[]}"), 400, "messages", null);
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"), 400,
                "messages[0].role", null);
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\"}]}"), 400, "messages[0].content", null);
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"x\"}}]}]}"), 400, "messages[0].content", "unsupported_parameter");
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"tool\",\"content\":\"x\"}]}"), 400,
                "messages[0].role", "unsupported_parameter");
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"type\":\"function\"}]}"), 400, "tools", "unsupported_parameter");
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"temperature\":-1}"), 400, "temperature", null);
        assertError(client.post("/v1/chat/completions", "{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "x".repeat(CONTEXT) + "\"}]}"), 400, "messages", "context_length_exceeded");
        assertError(client.post("/v1/chat/completions", "{\"model\":\"other\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"), 404,
                "model", "model_not_found");
        LocalModel plain = LocalModel.load(TinyModels.write(tmp.resolve("plain"), CONTEXT, 7, false), null, Device.cpu());
        try (OpenAiServer s = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "plain", 1), plain).start()) {
            var r = new ServerClient(s, null).post("/v1/chat/completions", "{\"model\":\"plain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertError(r, 400, "messages", null);
            assertTrue(r.error().get("message").getAsString().contains("no chat template"), r.body());
            assertEquals(200, new ServerClient(s, null).post("/v1/completions", "{\"model\":\"plain\",\"prompt\":\"hi\",\"max_tokens\":2}").status());
        }
        LocalModel given = LocalModel.load(tmp.resolve("plain"), null, Device.cpu(), LocalModel.chatTemplate("chatml"));
        assertEquals(ChatTemplate.chatml().generationPrompt(), given.chatTemplate().generationPrompt());
    }

    @Test
    void aSeedMakesSamplingRepeatable() {
        String req = "{\"model\":\"tiny\",\"prompt\":\"abc\",\"max_tokens\":30,\"temperature\":1.0,\"top_p\":0.9,\"seed\":%d}";
        String a = client.post("/v1/completions", req.formatted(5)).json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
        String b = client.post("/v1/completions", req.formatted(5)).json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
        String c = client.post("/v1/completions", req.formatted(6)).json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString();
        assertEquals(a, b);
        assertNotEquals(a, c, "another seed, another sample (30 tokens from a peaked but not one-hot distribution)");
    }

    private static void assertError(ServerClient.Reply r, int status, String param, String code) {
        assertEquals(status, r.status(), r.body());
        assertTrue(r.contentType().startsWith("application/json"), r.contentType());
        JsonObject e = r.error();
        assertTrue(e.get("message").getAsString().length() > 10, "the message says what is wrong: " + e);
        assertTrue(e.has("type") && e.has("param") && e.has("code"), "OpenAI's error fields: " + e);
        if (param != null) assertEquals(param, e.get("param").getAsString(), e.toString());
        if (code != null) assertEquals(code, e.get("code").getAsString(), e.toString());
    }

    @Test
    void badRequestsGetOpenAiStyleErrors() {
        assertError(client.post("/v1/completions", "{\"model\":\"gpt-4\",\"prompt\":\"hi\"}"), 404, "model", "model_not_found");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\""), 400, null, null);
        assertError(client.post("/v1/completions", "{model: tiny}"), 400, null, null);
        assertError(client.post("/v1/completions", "[1, 2]"), 400, null, null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"temperature\":-0.5}"), 400, "temperature", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"temperature\":\"hot\"}"), 400, "temperature", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":" + CONTEXT + "}"), 400, "prompt",
                "context_length_exceeded");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"" + "a".repeat(CONTEXT + 1) + "\"}"), 400, "prompt",
                "context_length_exceeded");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":0}"), 400, "max_tokens", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":2.5}"), 400, "max_tokens", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\"}"), 400, "prompt", "missing_required_parameter");
        assertError(client.post("/v1/completions", "{\"prompt\":\"hi\"}"), 400, "model", "missing_required_parameter");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"caf\\u00e9\"}"), 400, "prompt", null); // not in the vocabulary
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[1, 99999]}"), 400, "prompt", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"n\":2}"), 400, "n", "unsupported_parameter");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"top_p\":0}"), 400, "top_p", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"), 400, "stop", null);
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"presence_penalty\":0.5}"), 400, "presence_penalty",
                "unsupported_parameter");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"echo\":true}"), 400, "echo", "unsupported_parameter");
        assertError(client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":[\"a\",\"b\"]}"), 400, "prompt", "unsupported_parameter");
        assertError(client.post("/v1/completions", "model=tiny&prompt=hi", "application/x-www-form-urlencoded"), 415, null, null);
        assertError(client.post("/v1/embeddings", "{}"), 404, null, null);
        assertError(client.get("/v2/models"), 404, null, null);
        assertError(client.get("/v1/chat/completions"), 405, null, null);
        assertError(client.post("/v1/models", "{}"), 405, null, null);
        // the parameters that mean "off" are accepted, and so are informational ones
        var ok = client.post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":2,\"n\":1,\"presence_penalty\":0,"
                + "\"frequency_penalty\":0,\"logprobs\":null,\"echo\":false,\"best_of\":1,\"user\":\"u1\",\"logit_bias\":{}}");
        assertEquals(200, ok.status(), ok.body());
    }

    @Test
    void anApiKeyIsRequiredWhenSetAndOffLoopbackItIsMandatory() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ServeConfig("0.0.0.0", 0, null, "tiny", 1));
        assertTrue(e.getMessage().contains("--api-key"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ServeConfig("192.168.1.5", 0, " ", "tiny", 1));
        new ServeConfig("0.0.0.0", 0, "a-long-secret", "tiny", 1); // allowed with a key (not bound here)
        try (OpenAiServer keyed = new OpenAiServer(new ServeConfig("127.0.0.1", 0, "secret-key-42", "tiny", 1), model).start()) {
            assertError(new ServerClient(keyed, null).get("/v1/models"), 401, null, "invalid_api_key");
            assertError(new ServerClient(keyed, "secret-key-41").get("/v1/models"), 401, null, "invalid_api_key");
            assertError(new ServerClient(keyed, null).post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\"}"), 401, null, "invalid_api_key");
            assertEquals(200, new ServerClient(keyed, "secret-key-42").get("/v1/models").status());
        }
    }

    @Test
    void aForeignHostNameIsRefusedOnLoopback() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: attacker.example:8000\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertTrue(status.contains(" 403"), status);
        }
    }

    /** The real model behind a gate: each generation waits for {@code open} before it starts, and may pause per piece. */
    static final class GatedModel implements ServedModel {
        final CountDownLatch entered = new CountDownLatch(1), open;
        final long pauseMillis;

        GatedModel(boolean closed, long pauseMillis) {
            this.open = new CountDownLatch(closed ? 1 : 0);
            this.pauseMillis = pauseMillis;
        }

        @Override public String description() { return model.description(); }
        @Override public int contextLength() { return model.contextLength(); }
        @Override public int[] encode(String text) { return model.encode(text); }
        @Override public void checkIds(int[] ids) { model.checkIds(ids); }
        @Override public ChatPrompt chatPrompt(List<ChatMessage> messages) { return model.chatPrompt(messages); }

        @Override
        public Completion generate(int[] prompt, SamplingParams params, List<String> extraStops, Consumer<String> onText, BooleanSupplier cancelled) {
            entered.countDown();
            try {
                open.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return model.generate(prompt, params, extraStops, text -> {
                try {
                    Thread.sleep(pauseMillis); // a slow model: the client's disconnect must be noticed while it generates
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                onText.accept(text);
            }, cancelled);
        }
    }

    @Test
    void aFullQueueAnswers429AndTheQueuedRequestsStillFinish() throws Exception {
        GatedModel gated = new GatedModel(true, 0);
        try (OpenAiServer small = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "tiny", 1), gated).start()) {
            ServerClient c = new ServerClient(small, null);
            String req = "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":5,\"temperature\":0}";
            CompletableFuture<ServerClient.Reply> first = CompletableFuture.supplyAsync(() -> c.post("/v1/completions", req));
            assertTrue(gated.entered.await(60, TimeUnit.SECONDS), "the first request reached the model");
            CompletableFuture<ServerClient.Reply> second = CompletableFuture.supplyAsync(() -> c.post("/v1/completions", req));
            for (int i = 0; i < 600 && small.waiting() < 1; i++) Thread.sleep(50);
            assertEquals(1, small.waiting(), "the second request waits in the queue");
            ServerClient.Reply third = c.post("/v1/completions", req);
            assertError(third, 429, null, "queue_full");
            assertEquals("rate_limit_error", third.error().get("type").getAsString());
            gated.open.countDown();
            assertEquals(200, first.get(60, TimeUnit.SECONDS).status());
            assertEquals(200, second.get(60, TimeUnit.SECONDS).status());
            assertEquals(1, small.stats().rejected());
            assertEquals(2, small.stats().completed());
        }
    }

    @Test
    void aClientThatDisconnectsMidStreamStopsItsGeneration() throws Exception {
        GatedModel slow = new GatedModel(false, 20);
        try (OpenAiServer s = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "tiny", 2), slow).start()) {
            String body = "{\"model\":\"tiny\",\"prompt\":\"Tell me\",\"max_tokens\":110,\"temperature\":0,\"stream\":true}";
            try (Socket socket = new Socket("127.0.0.1", s.port())) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                int data = 0;
                for (String line; data < 3 && (line = in.readLine()) != null; ) if (line.startsWith("data: {")) data++;
                assertEquals(3, data, "three chunks arrived before the client left");
            } // the client goes away mid-stream
            for (int i = 0; i < 600 && s.stats().cancelled() == 0; i++) Thread.sleep(50);
            OpenAiServer.Stats st = s.stats();
            assertEquals(1, st.cancelled(), "the generation was stopped: " + st);
            assertTrue(st.cancelledTokens() < 100, "it stopped soon after the client left, not after 110 tokens: " + st);
            // the worker is free again
            var next = new ServerClient(s, null).post("/v1/completions", "{\"model\":\"tiny\",\"prompt\":\"hi\",\"max_tokens\":3}");
            assertEquals(200, next.status(), next.body());
        }
    }
}
