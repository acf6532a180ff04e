package dev.ember.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.text.CharEncoder;
import dev.ember.llm.tune.LoraAdapter;
import dev.ember.llm.tune.LoraConfig;
import dev.ember.llm.tune.LoraLayer;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ember serve --model BASE --adapter LORA}: the server answers as the base with the LoRA adapter applied
 * (the reference: the same base with the adapter attached, unmerged, generating greedily), not as the base alone.
 */
class AdapterServingTest {
    @TempDir Path tmp;

    @Test
    void servesTheBaseWithItsAdapter() {
        Path base = TinyModels.write(tmp.resolve("base"), 128, 21);
        GPT gpt = Gpt2Checkpoint.load(base);
        LoraAdapter lora = LoraAdapter.attach(gpt, LoraConfig.of(4, 8, 0, "c_attn", "c_fc"));
        Ember.manualSeed(3);
        try (var ignored = Ember.noGrad()) {
            for (LoraLayer l : lora.layers()) l.b().copyFrom(Tensor.randn(l.b().shape()).mul(0.5)); // B starts at zero: make it count
        }
        lora.save(tmp.resolve("adapter"), "base");
        CharEncoder chars = CharEncoder.load(base.resolve("chars.json"));
        String prompt = "Riddle me this";
        GenerationConfig greedy = GenerationConfig.builder().maxNewTokens(30).build();
        String adapted = chars.decode(Generation.generate(gpt, chars.encode(prompt), greedy, null));
        String plain = chars.decode(Generation.generate(Gpt2Checkpoint.load(base), chars.encode(prompt), greedy, null));
        assertNotEquals(plain, adapted, "the adapter changes the model");

        LocalModel served = LocalModel.load(base, tmp.resolve("adapter"), Device.cpu());
        assertTrue(served.description().contains("with adapter adapter"), served.description());
        try (OpenAiServer server = new OpenAiServer(new ServeConfig("127.0.0.1", 0, null, "base", 1), served).start()) {
            var r = new ServerClient(server, null).post("/v1/completions", "{\"model\":\"base\",\"prompt\":\"" + prompt + "\",\"max_tokens\":30,\"temperature\":0}");
            assertEquals(200, r.status(), r.body());
            assertEquals(adapted, r.json().getAsJsonArray("choices").get(0).getAsJsonObject().get("text").getAsString());
        }
    }
}
