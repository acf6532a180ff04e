package dev.ember.llm.tune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.Tensor;
import dev.ember.data.text.CharEncoder;
import dev.ember.io.SafeTensors;
import dev.ember.llm.chat.ChatGenerator;
import dev.ember.llm.chat.ChatMessage;
import dev.ember.llm.chat.ChatTemplate;
import dev.ember.llm.chat.ChatTokenizer;
import dev.ember.llm.eval.ChatEvaluation;
import dev.ember.llm.export.ModelFolder;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.GenerationConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.train.RunLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tuning runs end to end on a tiny character-level model and six riddles: SFT with LoRA (adapter files, resume),
 * full SFT (a chat model folder), freeze, DPO, merged export read back by the interop loader.
 */
@Tag("slow")
class TuningRunsTest {
    static final String RIDDLES = """
            Q:\tWhat has keys?
            A:\tA piano.
            %
            Q:\tWhat has a neck?
            A:\tA bottle.
            %
            Q:\tWhat gets wetter?
            A:\tA towel.
            %
            Q:\tWhat has hands?
            A:\tA clock.
            %
            Q:\tWhat has one eye?
            A:\tA needle.
            %
            Q:\tWhat has teeth?
            A:\tA comb.
            """;

    @TempDir static Path dir;
    static Path base, riddles;
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @BeforeAll
    static void baseModel() throws Exception {
        riddles = dir.resolve("riddles");
        Files.writeString(riddles, RIDDLES);
        base = dir.resolve("base");
        Ember.manualSeed(0);
        CharEncoder chars = CharEncoder.fit(RIDDLES.replace("\t", " ") + ChatTemplate.chatml().render(List.of(ChatMessage.user("x")), true) + "\n");
        GPT gpt = new GPT(GPTConfig.builder(chars.vocabSize()).contextLength(128).layers(1).width(16).heads(2).build());
        ModelFolder.save(gpt, ChatTokenizer.of(chars, Map.of()), null, base);
    }

    static FineTune.Options sft(FineTune.Method method, Path out, int epochs, Path resume) { return sft(base, method, out, epochs, resume); }

    static FineTune.Options sft(Path model, FineTune.Method method, Path out, int epochs, Path resume) {
        return new FineTune.Options(model, null, null, riddles, null, "chatml", method, 4, 8, 0, List.of("c_attn", "c_fc"), 1, List.of(), epochs, 2, 1e-2,
                0, true, 0, 3, Device.cpu(), out, resume);
    }

    @Test
    void loraSftWritesAPeftAdapterAndResumes() throws Exception {
        Path out = dir.resolve("lora");
        FineTune.Result r = FineTune.run(sft(FineTune.Method.LORA, out, 2, null), QUIET);
        assertTrue(Double.isFinite(r.valLoss()) && r.trainable() < r.total() / 4, r.toString());
        for (String f : List.of("adapter_model.safetensors", "adapter_config.json", "tokenizer_config.json", "chars.json", "run.jsonl",
                "checkpoints/last.safetensors"))
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        assertEquals(ChatTemplate.CHATML_JINJA, JsonParser.parseString(Files.readString(out.resolve("tokenizer_config.json"))).getAsJsonObject()
                .get("chat_template").getAsString());
        assertTrue(SafeTensors.read(out.resolve("adapter_model.safetensors")).keySet().stream().allMatch(k -> k.startsWith("base_model.model.transformer.h.0.")));
        // resume: one more epoch continues the log from epoch 2
        FineTune.run(sft(FineTune.Method.LORA, out, 3, out.resolve("checkpoints/last.safetensors")), QUIET);
        assertEquals(3, RunLog.read(out.resolve("run.jsonl")).stream().filter(o -> o.get("type").getAsString().equals("epoch")).count());

        // the adapter on the base, and the merged export read back by Gpt2Checkpoint, give the same logits
        ModelFolder adapted = ModelFolder.load(base, out);
        Path merged = dir.resolve("merged");
        ModelFolder.exportMerged(base, out, merged);
        GPT back = Gpt2Checkpoint.load(merged);
        Tensor ids = Tensor.of(new long[]{1, 2, 3, 4}, 1, 4);
        try (var ignored = Ember.noGrad()) {
            assertArrayEquals(adapted.model().forward(ids).toFloatArray(), back.forward(ids).toFloatArray(), 1e-5f);
        }
        ModelFolder exported = ModelFolder.load(merged, null);
        assertEquals(ChatTemplate.CHATML_JINJA, exported.requireTemplate(merged).source());
        assertThrows(IllegalArgumentException.class, () -> ModelFolder.exportMerged(base, out, base));
    }

    @Test
    void aBf16BaseIsFineTunedWithFloat32MastersAndChatsInBf16() {
        ModelFolder f32 = ModelFolder.load(base, null);
        f32.model().to(DType.BFLOAT16);
        Path bf16 = dir.resolve("base-bf16");
        ModelFolder.save(f32.model(), f32.tokenizer(), null, bf16);
        assertEquals(DType.BFLOAT16, ModelFolder.load(bf16, null).model().parameters().getFirst().dtype(), "chat and serving: the file's dtype");
        assertEquals(DType.FLOAT32, ModelFolder.load(bf16, null, DType.FLOAT32).model().parameters().getFirst().dtype());
        Path out = dir.resolve("full-from-bf16");
        FineTune.run(sft(bf16, FineTune.Method.FULL, out, 1, null), QUIET);
        assertTrue(ModelFolder.load(out, null).model().parameters().stream().allMatch(p -> p.dtype() == DType.FLOAT32),
                "the tuned weights were float32 masters");
    }

    @Test
    void fullSftThenDpoGiveChatModelFolders() {
        Path sft = dir.resolve("full");
        FineTune.Result r = FineTune.run(sft(FineTune.Method.FULL, sft, 2, null), QUIET);
        assertEquals(r.total(), r.trainable());
        ModelFolder m = ModelFolder.load(sft, null);
        ChatGenerator g = new ChatGenerator(m.model(), m.tokenizer(), m.requireTemplate(sft));
        ChatGenerator.Reply reply = g.reply(List.of(ChatMessage.user("What has keys?")), GenerationConfig.builder().maxNewTokens(8).build(), null);
        assertTrue(reply.completionTokens() <= 8);
        ChatEvaluation.Report report = ChatEvaluation.evaluate(g, List.of(dev.ember.llm.data.Conversation.of(null, "What has keys?", "A piano.")), 8);
        assertTrue(report.perplexity() > 1 && Double.isFinite(report.perplexity()));

        Path dpo = dir.resolve("dpo");
        Dpo.Result d = Dpo.run(new Dpo.Options(sft, null, riddles, null, FineTune.Method.LORA, 2, 4, 0, List.of("c_attn"), 0.1, 1, 2, 1e-2, 0, 5,
                Device.cpu(), dpo, null), QUIET);
        assertTrue(Double.isFinite(d.valLoss()) && Double.isFinite(d.trainMargin()) && d.trainAccuracy() >= 0 && d.trainAccuracy() <= 1, d.toString());
        assertTrue(RunLog.read(dpo.resolve("run.jsonl")).stream().anyMatch(o -> o.has("metrics") && o.getAsJsonObject("metrics").has("val_reward_accuracy")));
        ModelFolder.load(dpo, null).requireTemplate(dpo);
    }

    @Test
    void freezeTrainsTheLastBlockAndABaseModelHasNoTemplate() {
        Path out = dir.resolve("freeze");
        FineTune.Result r = FineTune.run(sft(FineTune.Method.FREEZE, out, 1, null), QUIET);
        assertTrue(r.trainable() < r.total());
        var e = assertThrows(IllegalArgumentException.class, () -> ModelFolder.load(base, null).requireTemplate(base));
        assertTrue(e.getMessage().contains("no chat template") && e.getMessage().contains("--template chatml"), e.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> FineTune.run(new FineTune.Options(base, null, null, riddles, null, "model",
                FineTune.Method.FULL, 4, 8, 0, List.of("c_attn"), 1, List.of(), 1, 2, 1e-2, 0, true, 0, 3, Device.cpu(), dir.resolve("x"), null), QUIET));
        assertTrue(bad.getMessage().contains("no chat template"), bad.getMessage());
    }
}
