package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ember tune}, {@code chat}, {@code evaluate} and {@code export} end to end on a tiny character-level base
 * model: a full and a LoRA fine-tune on six riddles, a chat read from standard input with {@code /reset}, the message
 * for a model without a chat template, the merged export chatted with, the evaluation file, and bad options.
 */
@Tag("slow")
class ChatCommandsTest {
    @TempDir
    Path tmp;

    static final String RIDDLES = "Q:\tWhat has keys?\nA:\tA piano.\n%\nQ:\tWhat has a neck?\nA:\tA bottle.\n%\nQ:\tWhat gets wetter?\nA:\tA towel.\n%\n"
            + "Q:\tWhat has hands?\nA:\tA clock.\n%\nQ:\tWhat has one eye?\nA:\tA needle.\n%\nQ:\tWhat has teeth?\nA:\tA comb.\n";

    static GptCommandsTest.Run chat(String input, String... args) {
        InputStream old = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return GptCommandsTest.cli(args);
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void tuneChatEvaluateExport() throws Exception {
        Path riddles = tmp.resolve("riddles"), corpus = tmp.resolve("corpus.txt"), base = tmp.resolve("base");
        Files.writeString(riddles, RIDDLES);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 20; i++) text.append(RIDDLES.replace("\t", " ")).append("<|im_start|>user\n<|im_end|>\n<|im_start|>assistant\n%\n");
        Files.writeString(corpus, text);
        var r = GptCommandsTest.cli("train", "--model", "gpt", "--data", corpus.toString(), "--layers", "1", "--width", "16", "--heads", "2",
                "--context", "128", "--batch-size", "4", "--val-windows", "4", "--eval-every", "5", "--steps", "5", "--out", base.toString());
        assertEquals(0, r.code(), r.out());

        r = chat("hello\n", "chat", "--model", base.toString());
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("has no chat template") && r.out().contains("--template chatml"), r.out());

        Path sft = tmp.resolve("sft");
        r = GptCommandsTest.cli("tune", "--model", base.toString(), "--out", sft.toString(), "--method", "full", "--riddles", riddles.toString(),
                "--epochs", "2", "--batch-size", "2", "--lr", "0.01");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("data: riddles from " + riddles) && r.out().contains("sft (full): held-out loss"), r.out());

        r = chat("What has keys?\n/reset\nWhat has teeth?\n", "chat", "--model", sft.toString(), "--max-new-tokens", "8", "--temperature", "0");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("user> What has keys?\nassistant> ") && r.out().contains("(history cleared)")
                && r.out().contains("user> What has teeth?"), r.out());
        // a token limit that cannot fit the context is refused before the first question, not after 'assistant> '
        r = chat("What has keys?\n", "chat", "--model", sft.toString(), "--max-new-tokens", "100000");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("--max-new-tokens (100000) must be less than the model's context length")
                && !r.out().contains("assistant>"), r.out());

        Path lora = tmp.resolve("lora"), merged = tmp.resolve("merged");
        r = GptCommandsTest.cli("tune", "--model", base.toString(), "--out", lora.toString(), "--riddles", riddles.toString(), "--epochs", "1",
                "--batch-size", "2", "--lora-target", "c_attn", "--lora-rank", "2");
        assertEquals(0, r.code(), r.out());
        assertTrue(Files.exists(lora.resolve("adapter_model.safetensors")), r.out());
        r = GptCommandsTest.cli("export", "--model", base.toString(), "--adapter", lora.toString(), "--out", merged.toString());
        assertEquals(0, r.code(), r.out());
        r = chat("What has hands?\n", "chat", "--model", merged.toString(), "--max-new-tokens", "4");
        assertEquals(0, r.code(), r.out());
        r = chat("What has hands?\n", "chat", "--model", base.toString(), "--adapter", lora.toString(), "--max-new-tokens", "4");
        assertEquals(0, r.code(), r.out());

        Path json = tmp.resolve("eval.json");
        r = GptCommandsTest.cli("evaluate", "--model", sft.toString(), "--riddles", riddles.toString(), "--max-new-tokens", "8", "--json", json.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("held-out (1): perplexity"), r.out());
        var o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(1, o.getAsJsonObject("held_out").getAsJsonArray("samples").size());

        r = GptCommandsTest.cli("tune", "--model", base.toString(), "--out", tmp.resolve("x").toString(), "--stage", "rl");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains("--stage must be sft or dpo"), r.out());
        r = GptCommandsTest.cli("tune", "--model", base.toString(), "--out", tmp.resolve("x").toString(), "--method", "bogus");
        assertEquals(2, r.code(), r.out());
    }
}
