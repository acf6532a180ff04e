package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.studio.chat.ChatService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model presets through the REST API, with real child-process runs on tiny settings: a GPT on a text file
 * under a data root and a LoRA chat fine-tuning of a tiny base trained on the spot each log (loss, validation loss and
 * perplexity, the plan's steps), checkpoint and write a model the chat tab loads; Evaluate gives the perplexity the run
 * logged for the same held-out data; Resume continues a GPT run; bad arguments and paths are refused naming the key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LanguageRunsTest {
    private TestStudio s;
    private String gpt;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        s = new TestStudio(tmp, null, new ChatService()); // Ember's GPT for the chat tab, found by ServiceLoader
        Files.writeString(s.dataRoot.resolve("chats.txt"), chatText(40));
        StringBuilder alpaca = new StringBuilder("[");
        String[][] qa = {{"What has keys?", "A piano."}, {"What has a neck?", "A bottle."}, {"What gets wetter?", "A towel."},
                {"What has hands?", "A clock."}, {"What has one eye?", "A needle."}, {"What has teeth?", "A comb."}};
        for (int i = 0; i < 12; i++)
            alpaca.append(i == 0 ? "" : ",").append("{\"instruction\":\"").append(qa[i % 6][0]).append("\",\"input\":\"\",\"output\":\"")
                    .append(qa[i % 6][1]).append("\"}");
        Files.writeString(s.dataRoot.resolve("riddles.alpaca.json"), alpaca.append("]"));
    }

    @AfterAll
    void stop() {
        for (String id : s.studio.runs().ids())
            if (s.studio.runs().status(id).state().equals("running")) s.studio.launcher().abort(id);
        s.close();
    }

    /** {@code n} fortune-file records, each a conversation of {@link TinyChatModel#CONVERSATIONS} in ChatML. */
    static String chatText(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++)
            b.append(ChatTemplate.chatml().render(TinyChatModel.CONVERSATIONS.get(i % TinyChatModel.CONVERSATIONS.size()), false)).append("%\n");
        return b.toString();
    }

    private static List<JsonObject> records(JsonObject run, String type) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonElement e : run.getAsJsonArray("records"))
            if (e.getAsJsonObject().get("type").getAsString().equals(type)) out.add(e.getAsJsonObject());
        return out;
    }

    private static double metric(JsonObject epoch, String key) { return epoch.getAsJsonObject("metrics").get(key).getAsDouble(); }

    @Test
    @Order(1)
    void badArgumentsAndPathsAreRefusedNamingTheKey() throws Exception {
        String[][] cases = {
                {"{\"preset\":\"chat\",\"method\":\"prefix\"}", "400", "method:"},
                {"{\"preset\":\"chat\",\"lora_rank\":0}", "400", "lora_rank:"},
                {"{\"preset\":\"chat\",\"base_model\":\"/etc\"}", "403", "base_model:"},
                {"{\"preset\":\"chat\",\"base_model\":\"../runs\"}", "403", "base_model:"},
                {"{\"preset\":\"chat\",\"base_model\":\"chats.txt\"}", "400", "base_model:"},
                {"{\"preset\":\"chat\",\"dataset\":\"instructions\",\"data_path\":\"/etc/passwd\"}", "403", "data_path:"},
                {"{\"preset\":\"chat\",\"dataset\":\"instructions\",\"data_path\":\"chats.txt\"}", "400", "data_path:"},
                {"{\"preset\":\"gpt\",\"dataset\":\"text-file\",\"data_path\":\"../../../etc/passwd\"}", "403", "data_path:"},
                {"{\"preset\":\"gpt\",\"width\":20,\"heads\":3}", "400", "width:"}};
        for (String[] c : cases) {
            TestStudio.Reply r = s.post("/api/runs", c[0]);
            assertEquals(Integer.parseInt(c[1]), r.status(), c[0] + " -> " + r.body());
            assertTrue(r.object().get("error").getAsString().startsWith(c[2]), c[0] + " -> " + r.body());
        }
        assertEquals(0, s.get("/api/runs").json().getAsJsonArray().size(), "no run was created");
    }

    @Test
    @Order(2)
    void gptRunLogsCheckpointsAndEvaluatesToTheLoggedPerplexity() throws Exception {
        String args = "{\"preset\":\"gpt\",\"name\":\"tiny gpt\",\"dataset\":\"text-file\",\"data_path\":\"chats.txt\",\"layers\":1,\"width\":16,"
                + "\"heads\":2,\"context\":64,\"batch_size\":4,\"steps\":20,\"eval_every\":10,\"val_windows\":8,\"lr\":0.003,\"device\":\"cpu\"}";
        String preview = s.post("/api/preview", args).object().get("command").getAsString();
        assertTrue(preview.startsWith("./ember train --model gpt --tokenizer char --layers 1 --width 16 --heads 2 --context 64 --batch-size 4 "
                + "--steps 20 --eval-every 10") && preview.contains(" --data " + s.dataRoot.resolve("chats.txt").toRealPath()), preview);
        TestStudio.Reply r = s.post("/api/runs", args);
        assertEquals(201, r.status(), r.body());
        gpt = r.object().get("id").getAsString();
        JsonObject done = s.awaitEnd(gpt, 180);
        assertEquals("finished", done.get("state").getAsString(), done.toString());
        JsonObject plan = done.getAsJsonObject("status").getAsJsonObject("plan");
        assertEquals(20, plan.get("total_steps").getAsInt());
        assertEquals(64, plan.get("tokens_per_sample").getAsInt());
        List<JsonObject> epochs = records(done, "epoch"), steps = records(done, "step");
        assertEquals(2, epochs.size(), "a validation every 10 of 20 steps");
        assertFalse(steps.isEmpty());
        assertTrue(steps.stream().allMatch(x -> x.has("loss") && x.has("lr") && x.has("samples_per_sec")), steps.toString());
        JsonObject last = epochs.getLast();
        assertEquals(Math.exp(metric(last, "val_loss")), metric(last, "val_perplexity"), 1e-6 * metric(last, "val_perplexity"));
        // the runs table: the lowest validation loss and its perplexity
        double best = Math.min(metric(epochs.get(0), "val_loss"), metric(last, "val_loss"));
        assertEquals("val_loss", done.get("best_metric").getAsString());
        assertEquals(best, done.get("best_value").getAsDouble(), 1e-12);
        assertEquals(Math.exp(best), done.get("best_perplexity").getAsDouble(), 1e-6 * Math.exp(best));
        Path dir = s.runsDir.toRealPath().resolve(gpt);
        for (String f : List.of("config.json", "model.safetensors", "chars.json", "checkpoints/last.safetensors", "checkpoints/best.safetensors"))
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        JsonObject chat = done.getAsJsonObject("chat");
        assertEquals(dir.toString(), chat.get("weights").getAsString());
        assertEquals("chatml", chat.get("chat_template").getAsString(), "a plain GPT has no template of its own");

        // Evaluate: the final model on the same 8 validation windows gives what the run's last validation logged
        JsonObject ev = s.post("/api/evaluate", "{\"run\":\"" + gpt + "\",\"checkpoint\":\"model\",\"limit\":8}").object();
        assertEquals("language", ev.get("kind").getAsString());
        double ppl = ev.getAsJsonObject("metrics").get("perplexity").getAsDouble();
        assertEquals(metric(last, "val_perplexity"), ppl, 1e-4 * ppl);
        assertEquals(Math.log(ppl), ev.getAsJsonObject("metrics").get("loss").getAsDouble(), 1e-9);
        JsonObject evLast = s.post("/api/evaluate", "{\"run\":\"" + gpt + "\",\"checkpoint\":\"last\",\"limit\":8}").object();
        assertEquals(ppl, evLast.getAsJsonObject("metrics").get("perplexity").getAsDouble(), 1e-4 * ppl, "the last checkpoint is the final model");
        assertEquals(400, s.post("/api/explain", "{\"run\":\"" + gpt + "\"}").status());

        // the chat tab loads the run's folder with ChatML (its text was ChatML, so every marker character is in its vocabulary)
        TestStudio.Reply load = s.post("/api/chat/load", "{\"weights\":\"" + dir + "\",\"chat_template\":\"chatml\"}");
        assertEquals(200, load.status(), load.body());
        TestStudio.Reply reply = s.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}],\"max_new_tokens\":4,\"temperature\":0}");
        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.body().contains("event: done"), reply.body());
    }

    @Test
    @Order(3)
    void gptRunResumesFromItsCheckpointInANewRun() throws Exception {
        JsonObject args = s.get("/api/runs/" + gpt + "/args").object();
        args.addProperty("steps", 30);
        args.addProperty("resume", gpt + "/checkpoints/last.safetensors");
        args.addProperty("name", "tiny gpt, resumed");
        assertEquals(400, s.post("/api/runs", "{\"preset\":\"chat\",\"resume\":\"" + gpt + "/checkpoints/last.safetensors\"}").status(),
                "a GPT checkpoint does not resume a chat fine-tuning");
        TestStudio.Reply r = s.post("/api/runs", args.toString());
        assertEquals(201, r.status(), r.body());
        String id = r.object().get("id").getAsString();
        JsonObject done = s.awaitEnd(id, 180);
        assertEquals("finished", done.get("state").getAsString(), done.toString());
        List<JsonObject> epochs = records(done, "epoch"), steps = records(done, "step");
        assertEquals(1, epochs.size(), "only the third evaluation is new");
        assertEquals(2, epochs.getFirst().get("epoch").getAsInt());
        assertTrue(steps.stream().allMatch(x -> x.get("step").getAsLong() > 20), "steps continue after step 20: " + steps);
        assertEquals(30, epochs.getFirst().get("step").getAsLong());
    }

    @Test
    @Order(4)
    void loraChatRunOnATinyBaseWritesAnAdapterThatEvaluatesAndChats() throws Exception {
        // a GPT run's id names its folder as a base model (resolved under the runs directory)
        String onGpt = s.post("/api/preview", "{\"preset\":\"chat\",\"method\":\"full\",\"base_model\":\"" + gpt + "\"}").object().get("command").getAsString();
        assertTrue(onGpt.startsWith("./ember tune --stage sft --method full --model " + s.runsDir.toRealPath().resolve(gpt) + " "), onGpt);
        String args = "{\"preset\":\"chat\",\"name\":\"lora on riddles\",\"dataset\":\"instructions\",\"data_path\":\"riddles.alpaca.json\","
                + "\"method\":\"lora\",\"base_steps\":4,\"lora_rank\":2,"
                + "\"lora_target\":\"c_attn,c_fc\",\"epochs\":1,\"batch_size\":4,\"lr\":0.01,\"device\":\"cpu\"}";
        String preview = s.post("/api/preview", args).object().get("command").getAsString();
        assertTrue(preview.contains(" && ./ember tune --stage sft --method lora --model ") && preview.contains("--lora-rank 2")
                && preview.contains(" --data " + s.dataRoot.resolve("riddles.alpaca.json").toRealPath()), preview);
        TestStudio.Reply r = s.post("/api/runs", args);
        assertEquals(201, r.status(), r.body());
        String id = r.object().get("id").getAsString();
        JsonObject done = s.awaitEnd(id, 240);
        assertEquals("finished", done.get("state").getAsString(), done.toString());
        Path dir = s.runsDir.toRealPath().resolve(id);
        for (String f : List.of("adapter_model.safetensors", "adapter_config.json", "checkpoints/last.safetensors", "base/model.safetensors",
                "base/config.json", "base/corpus.txt"))
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        List<JsonObject> epochs = records(done, "epoch"), steps = records(done, "step");
        assertEquals(1, epochs.size());
        // the plan counted FineTune's rows and batches before it ran: its total is the step the run ended on
        assertEquals(done.getAsJsonObject("status").getAsJsonObject("plan").get("total_steps").getAsLong(), steps.getLast().get("step").getAsLong());
        assertEquals("val_loss", done.get("best_metric").getAsString());
        JsonObject chat = done.getAsJsonObject("chat");
        assertEquals(dir.resolve("base").toString(), chat.get("weights").getAsString());
        assertEquals(dir.toString(), chat.get("adapter").getAsString());

        // Evaluate: the adapter on its base, on the held-out riddles, gives the perplexity the run's validation logged
        JsonObject ev = s.post("/api/evaluate", "{\"run\":\"" + id + "\",\"checkpoint\":\"model\",\"limit\":1000}").object();
        double ppl = ev.getAsJsonObject("metrics").get("perplexity").getAsDouble();
        assertEquals(metric(epochs.getLast(), "val_perplexity"), ppl, 1e-4 * ppl);
        assertEquals(ev.getAsJsonObject("metrics").get("conversations").getAsInt(), ev.getAsJsonArray("samples").size());

        // the chat tab: the base with the adapter and the run's own (ChatML) template
        TestStudio.Reply load = s.post("/api/chat/load", "{\"weights\":\"" + chat.get("weights").getAsString() + "\",\"adapter\":\"" + dir + "\"}");
        assertEquals(200, load.status(), load.body());
        TestStudio.Reply reply = s.post("/api/chat/stream", "{\"messages\":[{\"role\":\"user\",\"content\":\"What has keys?\"}],\"max_new_tokens\":8}");
        assertEquals(200, reply.status(), reply.body());
        assertTrue(reply.body().contains("event: done"), reply.body());
        assertTrue(s.get("/api/chat").object().get("can_export").getAsBoolean(), "a base with an adapter can be exported merged");

        // Resume: a second epoch in a new run, on the tiny base of the run it resumes (no new base is trained)
        JsonObject again = s.get("/api/runs/" + id + "/args").object();
        again.addProperty("epochs", 2);
        again.addProperty("resume", id + "/checkpoints/last.safetensors");
        TestStudio.Reply r2 = s.post("/api/runs", again.toString());
        assertEquals(201, r2.status(), r2.body());
        String resumed = r2.object().get("id").getAsString();
        JsonObject done2 = s.awaitEnd(resumed, 240);
        assertEquals("finished", done2.get("state").getAsString(), done2.toString());
        assertEquals(1, records(done2, "epoch").size());
        assertEquals(1, records(done2, "epoch").getFirst().get("epoch").getAsInt(), "the second epoch");
        Path dir2 = s.runsDir.toRealPath().resolve(resumed);
        assertFalse(Files.exists(dir2.resolve("base")), "the resumed run tunes the base it started from");
        assertEquals(dir.resolve("base").toString(), done2.getAsJsonObject("chat").get("weights").getAsString());
        assertTrue(Files.isRegularFile(dir2.resolve("adapter_model.safetensors")));
    }
}
