package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.studio.chat.ChatMessage;
import dev.ember.studio.chat.ChatModel;
import dev.ember.studio.chat.ChatModelProvider;
import dev.ember.studio.chat.ChatService;
import dev.ember.studio.chat.Sampling;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The studio's REST API with real child-process runs: a classical run and a small network run start, finish and
 * are listed, compared, evaluated (metrics agree with what the run reported) and explained; the live event stream
 * replays a run; abort ends a run's process; a new studio over the same directory finds every run; chat streams
 * tokens from a model provider.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StudioApiTest {
    Path tmp;
    TestStudio s;
    String forest, mlp;

    @BeforeAll
    void start(@TempDir Path dir) {
        tmp = dir;
        s = new TestStudio(tmp);
    }

    @AfterAll
    void stop() {
        for (String id : s.studio.runs().ids()) // leave no run behind, even when a test failed half way
            if (s.studio.runs().status(id).state().equals("running")) s.studio.launcher().abort(id);
        s.close();
    }

    @Test
    @Order(1)
    void infoListsPresetsDatasetsAndRoots() {
        JsonObject info = s.get("/api/info").object();
        List<String> presets = new ArrayList<>();
        info.getAsJsonArray("presets").forEach(p -> presets.add(p.getAsJsonObject().get("id").getAsString()));
        assertEquals(List.of("mlp", "cnn", "gpt", "chat", "logistic", "tree", "forest"), presets);
        assertEquals(s.dataRoot.toAbsolutePath().toString(), info.getAsJsonArray("data_roots").get(0).getAsString());
        String page = s.get("/").body();
        assertTrue(page.contains("Ember Studio") && page.contains("/webjars/echarts/"), "the page links the charting WebJar");
        assertEquals(200, s.get("/webjars/echarts/5.3.1/dist/echarts.min.js").status());
    }

    @Test
    @Order(2)
    void badArgumentsAreRefusedNamingTheKey() {
        TestStudio.Reply r = s.post("/api/runs", "{\"preset\":\"mlp\",\"batch_size\":0}");
        assertEquals(400, r.status());
        assertTrue(r.object().get("error").getAsString().startsWith("batch_size:"), r.body());
        assertEquals(400, s.post("/api/runs", "{\"preset\":\"mlp\",\"epochs\":[1]}").status());
        assertEquals(400, s.post("/api/runs", "not json").status());
        assertEquals(0, s.get("/api/runs").json().getAsJsonArray().size(), "no run was created");
    }

    @Test
    @Order(3)
    void classicalRunFinishesAndIsEvaluated() throws Exception {
        Files.writeString(s.dataRoot.resolve("blobs.csv"), blobs());
        TestStudio.Reply r = s.post("/api/runs", "{\"preset\":\"tree\",\"name\":\"tree on blobs\",\"dataset\":\"csv\",\"data_path\":\"blobs.csv\",\"max_depth\":3}");
        assertEquals(201, r.status(), r.body());
        forest = r.object().get("id").getAsString();
        JsonObject done = s.awaitEnd(forest, 120);
        assertEquals("finished", done.get("state").getAsString(), done.toString());
        assertEquals("test_accuracy", done.get("best_metric").getAsString());
        double reported = done.getAsJsonObject("status").getAsJsonObject("result").get("test_accuracy").getAsDouble();

        JsonObject ev = s.post("/api/evaluate", "{\"run\":\"" + forest + "\"}").object();
        assertEquals(reported, ev.getAsJsonObject("metrics").get("accuracy").getAsDouble(), 1e-12, "evaluation repeats the run's test split");
        long total = 0, diagonal = 0;
        JsonArray cm = ev.getAsJsonArray("confusion");
        for (int i = 0; i < cm.size(); i++)
            for (int j = 0; j < cm.size(); j++) {
                total += cm.get(i).getAsJsonArray().get(j).getAsLong();
                if (i == j) diagonal += cm.get(i).getAsJsonArray().get(j).getAsLong();
            }
        assertEquals(30, total, "a fifth of 150 rows is tested");
        assertEquals(reported, diagonal / 30.0, 1e-12);
        assertEquals(List.of("a", "b", "c"), List.of(ev.getAsJsonArray("classes").asList().stream().map(JsonElement::getAsString).toArray()));
        assertEquals(3, ev.getAsJsonArray("roc").size());

        JsonObject imp = s.get("/api/runs/" + forest + "/importances").object();
        double sum = 0;
        for (JsonElement f : imp.getAsJsonArray("features")) sum += f.getAsJsonObject().get("importance").getAsDouble();
        assertEquals(1.0, sum, 1e-9, "a tree's importances add up to 1");
        assertEquals("x0", imp.getAsJsonArray("features").get(0).getAsJsonObject().get("feature").getAsString(), "only x0 separates the classes");
    }

    @Test
    @Order(4)
    void networkRunStreamsItsLogAndIsExplained() throws Exception {
        TestStudio.Reply r = s.post("/api/runs", "{\"preset\":\"mlp\",\"name\":\"tiny mlp\",\"epochs\":2,\"batch_size\":16,\"train_limit\":320,\"device\":\"cpu\"}");
        assertEquals(201, r.status(), r.body());
        mlp = r.object().get("id").getAsString();
        // the event stream, opened while the run starts, carries its records and ends when it does
        HttpResponse<java.io.InputStream> sse = s.http.send(HttpRequest.newBuilder(URI.create(s.base() + "/api/runs/" + mlp + "/events"))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(240)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, sse.statusCode());
        List<String> events = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith("event: ")) events.add(line.substring(7));
                if (line.equals("event: end")) break;
            }
        }
        assertTrue(events.contains("status") && events.contains("log") && events.contains("resource"), events.toString());
        assertEquals(2 + 2, events.stream().filter("record"::equals).count(), "2 epochs of 20 steps, a step record every 20: " + events);
        JsonObject done = s.awaitEnd(mlp, 10);
        assertEquals("finished", done.get("state").getAsString(), done.toString());
        JsonObject plan = done.getAsJsonObject("status").getAsJsonObject("plan");
        assertEquals(40, plan.get("total_steps").getAsInt());

        double reported = done.getAsJsonObject("status").getAsJsonObject("result").get("test_accuracy").getAsDouble();
        JsonObject ev = s.post("/api/evaluate", "{\"run\":\"" + mlp + "\",\"limit\":500}").object();
        assertEquals(reported, ev.getAsJsonObject("metrics").get("accuracy").getAsDouble(), 1e-9, "the subset's 500 test images");
        assertEquals(10, ev.getAsJsonArray("confusion").size());
        JsonObject wrong = ev.getAsJsonArray("misclassified").get(0).getAsJsonObject();
        assertTrue(wrong.get("image").getAsString().startsWith("data:image/png;base64,"));

        JsonObject ex = s.post("/api/explain", "{\"run\":\"" + mlp + "\",\"index\":0,\"steps\":128}").object();
        assertEquals(ex.get("score_difference").getAsDouble(), ex.get("ig_sum").getAsDouble(),
                2e-3 * Math.max(1, Math.abs(ex.get("score_difference").getAsDouble())), "completeness");
        assertNotNull(ex.get("saliency").getAsString());
        assertEquals(400, s.post("/api/explain", "{\"run\":\"" + forest + "\"}").status(), "a tree has importances, not gradients");
        assertTrue(s.get("/api/runs/" + mlp + "/checkpoints").body().contains("best"));

        // Resume: a new run continues the finished one from its last checkpoint, to a third epoch
        TestStudio.Reply rr = s.post("/api/runs", "{\"preset\":\"mlp\",\"name\":\"resumed\",\"epochs\":3,\"batch_size\":16,"
                + "\"train_limit\":320,\"device\":\"cpu\",\"resume\":\"" + mlp + "/checkpoints/last.safetensors\"}");
        assertEquals(201, rr.status(), rr.body());
        String resumed = rr.object().get("id").getAsString();
        JsonObject rdone = s.awaitEnd(resumed, 300);
        assertEquals("finished", rdone.get("state").getAsString(), rdone.toString());
        assertEquals(1, rdone.getAsJsonObject("status").getAsJsonObject("result").get("epochs").getAsInt(), "one epoch after the checkpoint's two");
        JsonArray records = rdone.getAsJsonArray("records");
        assertEquals(60, records.get(records.size() - 1).getAsJsonObject().get("step").getAsInt(), "steps continue from the checkpoint's 40");
        assertEquals(200, s.delete("/api/runs/" + resumed).status());
    }

    @Test
    @Order(5)
    void runsAreListedComparedRenamedAndDeleted() {
        JsonArray list = s.get("/api/runs").json().getAsJsonArray();
        assertEquals(2, list.size());
        JsonObject cmp = s.get("/api/compare?ids=" + forest + "," + mlp).object();
        assertEquals(2, cmp.getAsJsonArray("runs").size());
        boolean presetDiffers = false;
        for (JsonElement row : cmp.getAsJsonArray("diff")) {
            JsonObject o = row.getAsJsonObject();
            if (o.get("key").getAsString().equals("preset")) presetDiffers = o.get("differs").getAsBoolean();
        }
        assertTrue(presetDiffers);
        String html = "<img src=x onerror=alert(1)>";
        assertEquals(200, s.post("/api/runs/" + forest + "/rename", "{\"name\":\"" + html + "\"}").status());
        assertEquals(html, s.get("/api/runs/" + forest).object().get("name").getAsString(), "stored as text, escaped by the page");
        assertEquals(200, s.delete("/api/runs/" + forest).status());
        assertFalse(Files.exists(s.runsDir.resolve(forest)));
        assertEquals(404, s.get("/api/runs/" + forest).status());
        assertEquals(400, s.get("/api/runs/a.b").status(), "a malformed run id");
    }

    @Test
    @Order(6)
    void abortEndsTheRunsProcessAndANewStudioFindsEveryRun() throws Exception {
        TestStudio.Reply r = s.post("/api/runs", "{\"preset\":\"cnn\",\"name\":\"long\",\"epochs\":50,\"batch_size\":8,\"device\":\"cpu\"}");
        String id = r.object().get("id").getAsString();
        JsonObject st;
        long deadline = System.nanoTime() + 120_000_000_000L;
        do {
            Thread.sleep(300);
            st = s.get("/api/runs/" + id).object();
        } while (st.getAsJsonObject("status").get("plan").isJsonNull() && System.nanoTime() < deadline);
        long pid = st.getAsJsonObject("status").get("pid").getAsLong();
        assertTrue(ProcessHandle.of(pid).isPresent());
        assertEquals(409, s.delete("/api/runs/" + id).status(), "a running run cannot be deleted");
        JsonObject aborted = s.post("/api/runs/" + id + "/abort", "").object();
        assertEquals("aborted", aborted.get("state").getAsString());
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true), "the run's JVM has ended");
        assertEquals(409, s.post("/api/runs/" + id + "/abort", "").status());

        // a second studio over the same runs directory (as after a restart) finds the runs as they were
        Studio other = new Studio(new StudioConfig("127.0.0.1", 0, null, List.of(s.dataRoot), s.runsDir, 1 << 16), new ChatService(List.of()), null);
        assertEquals(List.of(id, mlp), other.runs().ids());
        assertEquals("aborted", other.runs().status(id).state());
        assertEquals("finished", other.runs().status(mlp).state());
    }

    @Test
    @Order(7)
    void chatStreamsTokensFromAProviderAndSaysWhenThereIsNone() throws Exception {
        TestStudio.Reply none = s.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(409, none.status());
        assertTrue(none.body().contains("no language model"), none.body());
        assertEquals(501, s.post("/api/chat/load", "{\"weights\":\"blobs.csv\"}").status());

        Files.writeString(s.dataRoot.resolve("echo.weights"), "");
        try (TestStudio c = new TestStudio(tmp.resolve("chat"), null, new ChatService(List.of(new EchoProvider())))) {
            Files.writeString(c.dataRoot.resolve("echo.weights"), "");
            assertEquals(200, c.post("/api/chat/load", "{\"weights\":\"echo.weights\"}").status());
            assertEquals(403, c.post("/api/chat/load", "{\"weights\":\"/etc/passwd\"}").status());
            TestStudio.Reply r = c.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"one two three\"}],\"temperature\":0}");
            assertEquals(200, r.status());
            List<String> tokens = new ArrayList<>();
            for (String line : r.body().split("\n"))
                if (line.startsWith("data: ") && line.contains("text")) tokens.add(JsonParser.parseString(line.substring(6)).getAsJsonObject().get("text").getAsString());
            assertEquals(List.of("one", " two", " three"), tokens);
            assertTrue(r.body().contains("event: done"));
            assertEquals(400, c.post("/api/chat/stream", "{\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}").status());
            assertEquals(400, c.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":0}").status());
        }
    }

    /** 150 rows, 3 classes separated along x0 only; x1 is noise. */
    private static String blobs() {
        StringBuilder b = new StringBuilder("x0,x1,label\n");
        java.util.Random r = new java.util.Random(1);
        String[] names = {"a", "b", "c"};
        for (int i = 0; i < 150; i++) {
            int c = i % 3;
            b.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%s%n", c * 4 + r.nextGaussian(), r.nextGaussian(), names[c]));
        }
        return b.toString();
    }

    /** A test provider whose model replies with the words of the last message, one token each (the studio's plumbing, not a model). */
    static final class EchoProvider implements ChatModelProvider {
        @Override public String name() { return "echo"; }

        @Override public boolean accepts(Path weights) { return weights.getFileName().toString().endsWith(".weights"); }

        @Override public ChatModel load(Path weights, Path adapter) {
            return new ChatModel() {
                @Override public String description() { return "echo"; }

                @Override public int generate(List<ChatMessage> messages, Sampling sampling, Consumer<String> onToken, BooleanSupplier cancelled) {
                    String[] words = messages.getLast().content().split(" ");
                    for (int i = 0; i < words.length && !cancelled.getAsBoolean(); i++) onToken.accept(i == 0 ? words[i] : " " + words[i]);
                    return words.length;
                }

                @Override public void exportMerged(Path file) { throw new UnsupportedOperationException(); }
            };
        }
    }
}
