package dev.ember.llm.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.autograd.GradCheck;
import dev.ember.io.SafeTensors;
import dev.ember.nn.Linear;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA layers against PyTorch values, finite differences, merge/unmerge, PEFT's names and adapter files. */
class LoraTest {
    static JsonObject refs() {
        var in = LoraTest.class.getResourceAsStream("/lora/reference.json");
        if (in == null) throw new AssertionError("missing /lora/reference.json; run benchmarks/reference/make_lora_refs.py");
        return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    static double[] doubles(JsonObject o, String key) {
        JsonArray a = o.getAsJsonArray(key);
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsDouble();
        return out;
    }

    @AfterEach
    void restoreDtype() { Ember.setDefaultDType(DType.FLOAT32); }

    /** A float64 Linear with the reference's W, b and a LoRA layer with its A, B. */
    static LoraLayer referenceLayer(JsonObject l, Linear base) {
        int in = l.get("in").getAsInt(), out = l.get("out").getAsInt(), r = l.get("r").getAsInt();
        double alpha = l.get("alpha").getAsDouble();
        LoraLayer lora = new LoraLayer(base, r, alpha / r, 0);
        try (var ignored = Ember.noGrad()) {
            base.weight().copyFrom(Tensor.of(doubles(l, "w"), out, in));
            base.bias().copyFrom(Tensor.of(doubles(l, "b"), out));
            lora.a().copyFrom(Tensor.of(doubles(l, "a"), r, in));
            lora.b().copyFrom(Tensor.of(doubles(l, "b_lora"), out, r));
        }
        lora.attach();
        return lora;
    }

    @Test
    void forwardGradientsAndMergeMatchPyTorch() {
        Ember.setDefaultDType(DType.FLOAT64);
        JsonObject l = refs().getAsJsonObject("layer");
        int in = l.get("in").getAsInt(), out = l.get("out").getAsInt();
        Linear base = new Linear(in, out);
        LoraLayer lora = referenceLayer(l, base);
        Tensor x = Tensor.of(doubles(l, "x"), 3, in).requiresGrad(true);
        Tensor y = base.forward(x);
        assertArrayEquals(doubles(l, "y"), y.toDoubleArray(), 1e-12);
        y.mul(Tensor.of(doubles(l, "g"), 3, out)).sum().backward();
        assertArrayEquals(doubles(l, "grad_x"), x.grad().toDoubleArray(), 1e-12);
        assertArrayEquals(doubles(l, "grad_a"), lora.a().grad().toDoubleArray(), 1e-12);
        assertArrayEquals(doubles(l, "grad_b_lora"), lora.b().grad().toDoubleArray(), 1e-12);
        lora.merge();
        assertTrue(lora.isMerged());
        assertNull(base.adapter());
        assertArrayEquals(doubles(l, "merged"), base.weight().toDoubleArray(), 1e-12);
        try (var ignored = Ember.noGrad()) {
            assertArrayEquals(doubles(l, "y"), base.forward(x).toDoubleArray(), 1e-12);
        }
        lora.unmerge();
        assertArrayEquals(doubles(l, "w"), base.weight().toDoubleArray(), 1e-12);
        try (var ignored = Ember.noGrad()) {
            assertArrayEquals(doubles(l, "y"), base.forward(x).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void gradcheckOfTheInputAndFiniteDifferencesOfAAndB() {
        Ember.setDefaultDType(DType.FLOAT64);
        Ember.manualSeed(3);
        Linear base = new Linear(4, 3);
        LoraLayer lora = new LoraLayer(base, 2, 1.5, 0);
        try (var ignored = Ember.noGrad()) {
            lora.b().copyFrom(Tensor.randn(3, 2)); // B starts at zero; a nonzero B makes dA visible
        }
        lora.attach();
        Tensor x = Tensor.randn(2, 4).requiresGrad(true);
        GradCheck.assertGradients(in -> base.forward(in[0]).tanh(), x);
        // A and B live in the layer, so their finite differences perturb the layer's own tensors
        Tensor g = Tensor.randn(2, 3);
        Tensor loss = base.forward(x.detach()).tanh().mul(g).sum();
        lora.a().setGrad(null);
        lora.b().setGrad(null);
        loss.backward();
        for (Tensor p : new Tensor[]{lora.a(), lora.b()}) {
            double[] analytic = p.grad().toDoubleArray(), data = p.toDoubleArray();
            for (int j = 0; j < data.length; j++) {
                double[] plus = data.clone(), minus = data.clone();
                plus[j] += 1e-6;
                minus[j] -= 1e-6;
                double numeric = (objective(base, p, plus, x, g) - objective(base, p, minus, x, g)) / 2e-6;
                assertEquals(numeric, analytic[j], 1e-7 + 1e-5 * Math.abs(numeric), "element " + j);
            }
            try (var ignored = Ember.noGrad()) {
                p.copyFrom(Tensor.of(data, p.shape()));
            }
        }
    }

    private static double objective(Linear base, Tensor p, double[] values, Tensor x, Tensor g) {
        try (var ignored = Ember.noGrad()) {
            p.copyFrom(Tensor.of(values, p.shape()));
            return base.forward(x.detach()).tanh().mul(g).sum().item();
        }
    }

    static GPT tinyGpt() {
        JsonObject c = refs().getAsJsonObject("config");
        return new GPT(GPTConfig.builder(c.get("vocab").getAsInt()).contextLength(c.get("context").getAsInt()).layers(c.get("layers").getAsInt())
                .width(c.get("width").getAsInt()).heads(2).build());
    }

    @Test
    void peftTensorNamesAndShapesAsPeftBuildsThem() {
        JsonObject c = refs().getAsJsonObject("config");
        GPT gpt = tinyGpt();
        LoraAdapter a = LoraAdapter.attach(gpt, LoraConfig.of(c.get("r").getAsInt(), c.get("alpha").getAsDouble(), 0, "c_attn", "c_fc"));
        Map<String, long[]> expected = new LinkedHashMap<>();
        refs().getAsJsonObject("adapter_tensors").entrySet().forEach(e -> {
            JsonArray s = e.getValue().getAsJsonArray();
            expected.put(e.getKey(), new long[]{s.get(0).getAsLong(), s.get(1).getAsLong()});
        });
        Map<String, Tensor> mine = a.peftStateDict();
        assertEquals(expected.keySet(), mine.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, mine.get(k).shape(), k));
        assertEquals(4, a.targets().size());
        assertEquals("transformer.h.0.attn.c_attn", a.targets().getFirst());
    }

    @Test
    void baseIsFrozenAndAFreshAdapterLeavesTheOutputUnchanged() {
        Ember.manualSeed(5);
        GPT gpt = tinyGpt();
        Tensor ids = Tensor.of(new long[]{1, 2, 3, 4, 5}, 1, 5);
        Tensor before;
        try (var ignored = Ember.noGrad()) {
            before = gpt.forward(ids);
        }
        LoraAdapter a = LoraAdapter.attach(gpt, LoraConfig.matching(4, 8, 0.1, "transformer\\.h\\.1\\..*"));
        assertEquals(java.util.List.of("transformer.h.1.attn.c_attn", "transformer.h.1.attn.c_proj", "transformer.h.1.mlp.c_fc",
                "transformer.h.1.mlp.c_proj"), a.targets());
        assertTrue(gpt.parameters().stream().noneMatch(Tensor::requiresGrad));
        assertTrue(a.parameters().stream().allMatch(Tensor::requiresGrad));
        assertEquals(a.parameterCount(), Freeze.trainableCount(a));
        long expected = 4 * (8 + 24) + 4 * (8 + 8) + 4 * (8 + 32) + 4 * (32 + 8);
        assertEquals(expected, a.trainableParameters());
        gpt.eval();
        try (var ignored = Ember.noGrad()) {
            assertArrayEquals(before.toFloatArray(), gpt.forward(ids).toFloatArray(), 0f); // B = 0
        }
        // training moves only the adapter; the base weights stay as they were
        Tensor w0 = gpt.namedParameters().get("h.1.attn.c_attn.weight").clone();
        gpt.train();
        var opt = dev.ember.optim.AdamW.builder(0.05).buildW(a.parameters());
        for (int s = 0; s < 3; s++) {
            Tensor loss = new SftLoss().forward(gpt.forward(ids), Tensor.of(new long[]{2, 3, 4, 5, 6}, 1, 5));
            opt.zeroGrad();
            loss.backward();
            opt.step();
        }
        assertArrayEquals(w0.toFloatArray(), gpt.namedParameters().get("h.1.attn.c_attn.weight").toFloatArray(), 0f);
        gpt.eval();
        try (var ignored = Ember.noGrad()) {
            assertFalse(java.util.Arrays.equals(before.toFloatArray(), gpt.forward(ids).toFloatArray()));
        }
    }

    @Test
    void adapterRoundTripAndMergedModelMatch(@TempDir Path dir) throws Exception {
        Ember.manualSeed(9);
        GPT gpt = tinyGpt();
        gpt.eval();
        LoraAdapter a = LoraAdapter.attach(gpt, LoraConfig.of(2, 4, 0, "c_attn", "c_proj"));
        try (var ignored = Ember.noGrad()) {
            for (LoraLayer l : a.layers()) l.b().copyFrom(Tensor.randn(l.b().shape()).mul(0.1));
        }
        Tensor ids = Tensor.of(new long[]{3, 1, 4, 1, 5, 9}, 1, 6);
        Tensor adapted;
        try (var ignored = Ember.noGrad()) {
            adapted = gpt.forward(ids);
        }
        a.save(dir, "tiny-base");
        JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve("adapter_config.json"))).getAsJsonObject();
        assertEquals("LORA", cfg.get("peft_type").getAsString());
        assertEquals(2, cfg.get("r").getAsInt());
        assertEquals(4.0, cfg.get("lora_alpha").getAsDouble());
        assertEquals("CAUSAL_LM", cfg.get("task_type").getAsString());
        assertEquals("tiny-base", cfg.get("base_model_name_or_path").getAsString());
        assertEquals(a.peftStateDict().keySet(), SafeTensors.read(dir.resolve("adapter_model.safetensors")).keySet());

        // a fresh copy of the base with the saved adapter gives the same logits
        GPT copy = tinyGpt();
        copy.loadStateDict(stripAdapters(gpt));
        copy.eval();
        a.detach();
        LoraAdapter loaded = LoraAdapter.load(dir, copy);
        try (var ignored = Ember.noGrad()) {
            assertArrayEquals(adapted.toFloatArray(), copy.forward(ids).toFloatArray(), 1e-6f);
            loaded.merge();
            assertArrayEquals(adapted.toFloatArray(), copy.forward(ids).toFloatArray(), 2e-5f);
        }
    }

    private static Map<String, Tensor> stripAdapters(GPT gpt) { return gpt.stateDict(); }

    @Test
    void badAdaptersAreNamed(@TempDir Path dir) throws Exception {
        GPT gpt = tinyGpt();
        var e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.attach(gpt, LoraConfig.of(2, 4, 0, "q_proj")));
        assertTrue(e.getMessage().contains("q_proj") && e.getMessage().contains("transformer.h.0.attn.c_attn"), e.getMessage());
        LoraAdapter a = LoraAdapter.attach(tinyGpt(), LoraConfig.of(2, 4, 0, "c_attn"));
        a.save(dir, "x");
        // rank mismatch: the config says 3, the tensors are rank 2
        String cfg = Files.readString(dir.resolve("adapter_config.json")).replace("\"r\": 2", "\"r\": 3");
        Files.writeString(dir.resolve("adapter_config.json"), cfg);
        e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(dir, tinyGpt()));
        assertTrue(e.getMessage().contains("adapter_model.safetensors") && e.getMessage().contains("r = 3"), e.getMessage());
        Files.writeString(dir.resolve("adapter_config.json"), cfg.replace("\"r\": 3", "\"r\": 2").replace("\"use_dora\": false", "\"use_dora\": true"));
        e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(dir, tinyGpt()));
        assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains("use_dora"), e.getMessage());
        // newer PEFT keys that would change the adapted layers or the update are refused by name, not ignored
        for (String[] kv : new String[][]{{"exclude_modules", "[\"transformer.h.0.attn.c_attn\"]"}, {"lora_bias", "true"},
                {"target_parameters", "[\"c_attn.weight\"]"}}) {
            Files.writeString(dir.resolve("adapter_config.json"), cfg.replace("\"r\": 3", "\"r\": 2").replace("\"use_dora\": false",
                    "\"use_dora\": false, \"" + kv[0] + "\": " + kv[1]));
            e = assertThrows(IllegalArgumentException.class, () -> LoraAdapter.load(dir, tinyGpt()));
            assertTrue(e.getMessage().contains("adapter_config.json") && e.getMessage().contains(kv[0]), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.of(0, 1, 0, "c_attn"));
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.of(1, 1, 1.0, "c_attn"));
        assertThrows(IllegalArgumentException.class, () -> LoraConfig.matching(1, 1, 0, "(unclosed"));
    }
}
