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
    private final Presets presets = new Presets(List.of("auto", "cpu"), false);

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

    @Test
    void languageModelArgumentsAreCheckedNamingTheKey() {
        JsonObject g = presets.validate(json("{\"preset\":\"gpt\"}"));
        assertEquals("text-sample", g.get("dataset").getAsString(), "without Debian's fortunes, the bundled text");
        assertEquals("fortunes", new Presets(List.of("cpu"), true).validate(json("{\"preset\":\"gpt\"}")).get("dataset").getAsString());
        assertEquals(128, g.get("width").getAsInt());
        JsonObject c = presets.validate(json("{\"preset\":\"chat\"}"));
        assertEquals("lora", c.get("method").getAsString());
        assertEquals("riddles", c.get("dataset").getAsString());
        assertEquals("", c.get("base_model").getAsString(), "no base: a tiny one is trained first");
        for (String[] bad : new String[][]{
                {"{\"preset\":\"chat\",\"method\":\"qlora\"}", "method:"},
                {"{\"preset\":\"chat\",\"lora_rank\":0}", "lora_rank:"},
                {"{\"preset\":\"chat\",\"lora_rank\":-4}", "lora_rank:"},
                {"{\"preset\":\"chat\",\"lora_target\":\"c_attn;rm -rf\"}", "lora_target:"},
                {"{\"preset\":\"chat\",\"template\":\"model\"}", "template:"},
                {"{\"preset\":\"chat\",\"dataset\":\"instructions\"}", "data_path:"},
                {"{\"preset\":\"chat\",\"dataset\":\"fortunes\"}", "dataset:"},
                {"{\"preset\":\"gpt\",\"width\":30,\"heads\":4}", "width:"},
                {"{\"preset\":\"gpt\",\"tokenizer\":\"word\"}", "tokenizer:"},
                {"{\"preset\":\"gpt\",\"epochs\":3}", "epochs:"},
                {"{\"preset\":\"gpt\",\"dataset\":\"text-file\"}", "data_path:"}}) {
            ApiError e = assertThrows(ApiError.class, () -> presets.validate(json(bad[0])), bad[0]);
            assertTrue(e.getMessage().startsWith(bad[1]), bad[0] + " -> " + e.getMessage());
            assertEquals(400, e.status());
        }
    }

    @Test
    void languageModelPreviewsAreTheTrainAndTuneCommands() {
        JsonObject g = presets.validate(json("{\"preset\":\"gpt\",\"layers\":2,\"width\":64,\"steps\":100,\"eval_every\":50,\"device\":\"cpu\"}"));
        assertEquals("./ember train --model gpt --tokenizer char --layers 2 --width 64 --heads 4 --context 128 --batch-size 32 --steps 100 --eval-every 50"
                + " --lr 3.0E-4 --weight-decay 0.01 --dropout 0.0 --val-windows 256 --device cpu --seed 42 --data /d/t.txt --out /runs/x",
                presets.command(g, "/d/t.txt", "/runs/x", "/runs/x/args.json"));
        JsonObject lora = presets.validate(json("{\"preset\":\"chat\",\"base_model\":\"base\",\"lora_rank\":4,\"device\":\"cpu\"}"));
        lora.addProperty("_base", "/data/base");
        assertEquals("./ember tune --stage sft --method lora --model /data/base --out /runs/x --template chatml --lora-rank 4 --lora-alpha 16.0"
                + " --lora-dropout 0.0 --lora-target c_attn,c_proj,c_fc --epochs 3 --batch-size 8 --lr 0.001 --weight-decay 0.0 --seed 0 --device cpu",
                presets.command(lora, null, "/runs/x", "/runs/x/args.json"));
        JsonObject freeze = presets.validate(json("{\"preset\":\"chat\",\"method\":\"freeze\",\"base_steps\":30,\"packing\":\"false\"}"));
        String cmd = presets.command(freeze, "/d/alpaca.json", "/runs/y", "/runs/y/args.json");
        assertTrue(cmd.startsWith("./ember train --model gpt --tokenizer char --layers 2 --width 32 --heads 2 --context 256 --batch-size 8 --lr 0.003"
                + " --weight-decay 0.0 --dropout 0.0 --val-windows 16 --steps 30 --eval-every 30 --device auto --seed 0 --data /runs/y/base/corpus.txt"
                + " --out /runs/y/base && ./ember tune --stage sft --method freeze --model /runs/y/base --out /runs/y --data /d/alpaca.json"), cmd);
        assertTrue(cmd.contains(" --freeze-trainable-layers 1 ") && cmd.contains(" --no-packing ") && !cmd.contains("--lora"), cmd);
    }
}
