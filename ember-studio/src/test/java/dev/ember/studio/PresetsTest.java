package dev.ember.studio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.studio.runs.Presets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The train tab's presets: defaults filled in, every value checked, and the equivalent command line. */
class PresetsTest {
    private final Presets presets = new Presets(List.of("auto", "cpu"));

    private static JsonObject json(String s) { return JsonParser.parseString(s).getAsJsonObject(); }

    @Test
    void fillsDefaultsAndKeepsGivenValues() {
        JsonObject a = presets.validate(json("{\"preset\":\"cnn\",\"epochs\":\"3\",\"lr\":0.01}"));
        assertEquals(3, a.get("epochs").getAsInt());
        assertEquals(0.01, a.get("lr").getAsDouble());
        assertEquals(128, a.get("batch_size").getAsInt());
        assertEquals("fashion-mnist-subset", a.get("dataset").getAsString());
        assertEquals("cnn", a.get("name").getAsString());
    }

    @Test
    void acceptsARunDirectorysArgumentsFileAndDropsTheResolvedPaths() {
        // ./ember studio run <run>/args.json: the '_' keys hold paths the studio resolved; they are resolved afresh
        JsonObject a = presets.validate(json("{\"preset\":\"tree\",\"dataset\":\"iris\",\"_data\":\"/elsewhere/iris.csv\"}"));
        assertTrue(!a.has("_data"));
        assertEquals("iris", a.get("dataset").getAsString());
    }

    @Test
    void refusesUnknownKeysBadTypesAndOutOfRangeValuesNamingTheKey() {
        ApiError e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"mlp\",\"epochs\":0}")));
        assertTrue(e.getMessage().startsWith("epochs:"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"mlp\",\"lr\":\"fast\"}")));
        assertTrue(e.getMessage().startsWith("lr:"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"mlp\",\"device\":\"tpu\"}")));
        assertTrue(e.getMessage().startsWith("device:"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"mlp\",\"n_estimators\":3}")));
        assertTrue(e.getMessage().startsWith("n_estimators:"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"mlp\",\"dataset\":\"iris\"}")));
        assertTrue(e.getMessage().startsWith("dataset:"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"gpt\"}")));
        assertTrue(e.getMessage().contains("GPT"), e.getMessage());
        e = assertThrows(ApiError.class, () -> presets.validate(json("{\"preset\":\"forest\",\"dataset\":\"csv\"}")));
        assertTrue(e.getMessage().startsWith("data_path:"), e.getMessage());
        assertEquals(400, e.status());
    }

    @Test
    void previewIsTheTrainCommandWithTheSameOptions() {
        JsonObject a = presets.validate(json("{\"preset\":\"mlp\",\"epochs\":2,\"batch_size\":64,\"device\":\"cpu\",\"train_limit\":500}"));
        assertEquals("./ember train --model mlp --epochs 2 --batch-size 64 --lr 0.001 --device cpu --data /d --out '/runs/my run'"
                + " --patience 3 --seed 42 --train-limit 500", presets.command(a, "/d", "/runs/my run", "/runs/x/args.json"));
        JsonObject f = presets.validate(json("{\"preset\":\"tree\",\"dataset\":\"iris\"}"));
        assertEquals("./ember studio run /runs/x/args.json", presets.command(f, "/d", "/runs/x", "/runs/x/args.json"));
    }
}
