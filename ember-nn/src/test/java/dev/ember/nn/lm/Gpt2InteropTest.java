package dev.ember.nn.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hugging Face GPT-2 interop against benchmarks/reference/make_gpt2_refs.py: a random GPT-2 saved in HF's layout
 * loads and gives the logits of an independent PyTorch implementation of GPT-2's forward pass; saving writes the same
 * format back; broken files are errors naming the file. (The tokenizer files: ember-data's Gpt2TokenizerTest.)
 */
class Gpt2InteropTest {
    @TempDir
    Path tmp;

    static Path refs() throws Exception { return refs("gpt2_tiny"); }

    static JsonObject reference() throws Exception { return reference("gpt2_tiny"); }

    /** A reference folder that make_gpt2_refs.py wrote (test resources). */
    static Path refs(String folder) throws Exception { return Path.of(Gpt2InteropTest.class.getResource("/" + folder).toURI()); }

    /** Its reference.json. */
    static JsonObject reference(String folder) throws Exception {
        return JsonParser.parseString(Files.readString(refs(folder).resolve("reference.json"), StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static int[] ints(JsonArray a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsInt();
        return out;
    }

    @Test
    void logitsMatchTheReferenceForwardPass() throws Exception {
        JsonObject ref = reference();
        GPT model = Gpt2Checkpoint.load(refs());
        assertEquals("gelu_new", model.config().activation());
        int[] ids = ints(ref.getAsJsonArray("model_ids"));
        assertClose(ref.getAsJsonArray("logits"), logits(model, ids), 1e-4);
    }

    static float[] logits(GPT model, int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) l[i] = ids[i];
        return model.forward(Tensor.of(l, 1, l.length)).toFloatArray();
    }

    static void assertClose(JsonArray want, float[] got, double tol) {
        assertEquals(want.size(), got.length);
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            double w = want.get(i).getAsDouble();
            worst = Math.max(worst, Math.abs(w - got[i]) / Math.max(1, Math.abs(w)));
        }
        assertTrue(worst <= tol, "largest logit difference " + worst);
    }

    @Test
    void savesBackToTheSameLayout() throws Exception {
        GPT model = Gpt2Checkpoint.load(refs());
        Path out = tmp.resolve("saved");
        Gpt2Checkpoint.save(model, out);
        Map<String, Tensor> saved = SafeTensors.read(out.resolve("model.safetensors"));
        Map<String, Tensor> original = SafeTensors.read(refs().resolve("model.safetensors"));
        // every weight of the original, under its "transformer." name, Conv1D [in, out] layout kept
        for (var e : original.entrySet()) {
            if (e.getKey().endsWith(".attn.bias")) continue;
            Tensor s = saved.get("transformer." + e.getKey());
            assertArrayEquals(e.getValue().shape(), s.shape(), e.getKey());
            assertArrayEquals(e.getValue().toFloatArray(), s.toFloatArray(), e.getKey());
        }
        assertEquals(Gpt2Checkpoint.readConfig(refs().resolve("config.json")), Gpt2Checkpoint.readConfig(out.resolve("config.json")));
        GPT again = Gpt2Checkpoint.load(out);
        int[] ids = ints(reference().getAsJsonArray("model_ids"));
        assertArrayEquals(logits(model, ids), logits(again, ids));
    }

    @Test
    void badFilesAreErrorsNamingTheFile() throws Exception {
        // a config whose width does not match the weights
        Path bad = copyRefs("badshape");
        Files.writeString(bad.resolve("config.json"), Files.readString(bad.resolve("config.json")).replace("\"n_embd\": 32", "\"n_embd\": 64"));
        var e = assertThrows(IllegalArgumentException.class, () -> Gpt2Checkpoint.load(bad));
        assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("wte.weight") && e.getMessage().contains("n_embd 64"),
                e.getMessage());
        // a config without a required key, a missing folder
        Path noKey = copyRefs("nokey");
        Files.writeString(noKey.resolve("config.json"), Files.readString(noKey.resolve("config.json")).replace("\"n_head\"", "\"heads\""));
        e = assertThrows(IllegalArgumentException.class, () -> Gpt2Checkpoint.load(noKey));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("n_head"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Gpt2Checkpoint.load(tmp.resolve("absent")));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    private Path copyRefs(String name) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        for (String f : List.of("config.json", "model.safetensors"))
            Files.copy(refs().resolve(f), dir.resolve(f));
        return dir;
    }
}
