package dev.ember.studio.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.studio.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The studio reads run directories as the runs leave them: old and strict logs, cut-off lines, dead processes. */
class RunStoreTest {
    @TempDir Path tmp;

    private String run(RunStore store, String log) throws Exception {
        JsonObject args = JsonParser.parseString("{\"preset\":\"mlp\",\"name\":\"r\",\"epochs\":3,\"_data\":\"/x\"}").getAsJsonObject();
        String id = store.create(args);
        Files.writeString(store.files(id).log(), log);
        return id;
    }

    @Test
    void readsNaNAndNullValuesAndSkipsALineCutShort() throws Exception {
        RunStore store = new RunStore(tmp);
        String id = run(store, """
                {"type":"step","epoch":0,"step":20,"loss":NaN,"lr":0.001}
                {"type":"epoch","epoch":0,"step":40,"loss":0.9,"metrics":{"val_loss":0.8,"val_accuracy":0.61}}
                {"type":"epoch","epoch":1,"step":80,"loss":null,"metrics":{"val_loss":null,"val_accuracy":0.72}}
                {"type":"stop","epoch":2,"step":90,"loss":null,"reason":"non-finite loss"}
                {"type":"epoch","epoch":2,"st""");
        List<JsonObject> recs = store.records(id);
        assertEquals(4, recs.size(), "the last line has no newline yet: skipped");
        assertTrue(recs.get(0).get("loss").isJsonNull(), "NaN (older logs) is read as null");
        Map<String, Object> sum = store.summary(id);
        assertEquals("val_accuracy", sum.get("best_metric"));
        assertEquals(0.72, (double) sum.get("best_value"), 0);
        assertEquals(2L, sum.get("epochs"));
        assertEquals("created", sum.get("state"));
        assertEquals(false, ((JsonObject) sum.get("args")).has("_data"), "the studio's private keys stay private");
    }

    @Test
    void aRunWhoseProcessIsGoneWithoutAWordIsLost() throws Exception {
        RunStore store = new RunStore(tmp);
        String id = run(store, "");
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        JsonObject launch = new JsonObject();
        launch.addProperty("pid", p.pid());
        launch.addProperty("started", System.currentTimeMillis());
        Json.writeFile(store.files(id).launch(), launch);
        assertEquals("lost", store.status(id).state());
        JsonObject status = new JsonObject();
        status.addProperty("state", "finished");
        Json.writeFile(store.files(id).status(), status);
        assertEquals("finished", store.status(id).state());
    }

    @Test
    void aLanguageModelsBestIsItsLowestValidationLossWithThatEvaluationsPerplexity() throws Exception {
        RunStore store = new RunStore(tmp);
        String id = store.create(JsonParser.parseString("{\"preset\":\"gpt\",\"name\":\"g\"}").getAsJsonObject());
        Files.writeString(store.files(id).log(), """
                {"type":"epoch","epoch":0,"step":10,"loss":3.1,"metrics":{"val_loss":2.9,"val_perplexity":18.17}}
                {"type":"epoch","epoch":1,"step":20,"loss":2.5,"metrics":{"val_loss":2.4,"val_perplexity":11.02}}
                {"type":"epoch","epoch":2,"step":30,"loss":2.2,"metrics":{"val_loss":2.6,"val_perplexity":13.46}}
                """);
        Map<String, Object> sum = store.summary(id);
        assertEquals("val_loss", sum.get("best_metric"));
        assertEquals(2.4, (double) sum.get("best_value"), 0, "the lowest loss, not the last nor the highest");
        assertEquals(11.02, (double) sum.get("best_perplexity"), 0);
        assertTrue(!sum.containsKey("chat"), "an unfinished run offers nothing to chat with");
        // finished, with a model folder: the chat tab loads the run's folder with ChatML
        Files.writeString(store.files(id).model(), "x");
        Json.writeFile(store.files(id).status(), JsonParser.parseString("{\"state\":\"finished\"}").getAsJsonObject());
        @SuppressWarnings("unchecked")
        Map<String, String> chat = (Map<String, String>) store.summary(id).get("chat");
        assertEquals(Map.of("weights", store.files(id).dir().toString(), "adapter", "", "chat_template", "chatml"), chat);
    }
}
