package dev.ember.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.ember.DType;
import dev.ember.Tensor;
import dev.ember.io.SafeTensors;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.train.RunLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./ember train --model gpt} and {@code ./ember generate} end to end on a tiny model: the output folder, the
 * run log with validation loss and perplexity, a resume that repeats the uninterrupted run, generation from the
 * folder with both tokenizers, and the errors for bad prompts.
 */
class GptCommandsTest {
    @TempDir
    Path tmp;

    record Run(int code, String out) {}

    static Run cli(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        var buf = new ByteArrayOutputStream();
        var ps = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(ps);
        System.setErr(ps);
        int code;
        try {
            code = Main.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, buf.toString(StandardCharsets.UTF_8));
    }

    private Path corpus() throws Exception {
        StringBuilder a = new StringBuilder(), b = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            a.append("the cat sat on the mat number ").append(i % 7).append(".\n%\n");
            b.append("a dog ran to the park ").append(i % 5).append(" times\nand back.\n%\n");
        }
        Files.writeString(tmp.resolve("a.txt"), a);
        Files.writeString(tmp.resolve("b.txt"), b);
        return tmp;
    }

    private String[] trainArgs(Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--model", "gpt", "--data", tmp.resolve("a.txt").toString(),
                tmp.resolve("b.txt").toString(), "--layers", "1", "--width", "16", "--heads", "2", "--context", "16", "--batch-size", "4",
                "--val-windows", "8", "--eval-every", "10", "--lr", "0.01", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    private static List<JsonObject> epochs(Path log) {
        return RunLog.read(log).stream().filter(r -> r.get("type").getAsString().equals("epoch")).toList();
    }

    @Test
    void trainsResumesAndGenerates() throws Exception {
        corpus();
        Path full = tmp.resolve("full"), part = tmp.resolve("part");
        Run r = cli(trainArgs(full, "--steps", "30"));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("corpus: 2 files"), r.out());
        assertTrue(r.out().contains("val_perplexity"), r.out());
        for (String f : List.of("config.json", "model.safetensors", "chars.json", "run.jsonl", "checkpoints/last.safetensors"))
            assertTrue(Files.exists(full.resolve(f)), f);
        List<JsonObject> e = epochs(full.resolve("run.jsonl"));
        assertEquals(3, e.size());
        double first = e.get(0).getAsJsonObject("metrics").get("val_loss").getAsDouble();
        double last = e.get(2).getAsJsonObject("metrics").get("val_loss").getAsDouble();
        assertTrue(last < first, "validation loss " + first + " -> " + last);
        assertEquals(Math.exp(last), e.get(2).getAsJsonObject("metrics").get("val_perplexity").getAsDouble(), 1e-6 * Math.exp(last));

        // 20 steps, then resume to 30: the same validation losses as the uninterrupted run
        assertEquals(0, cli(trainArgs(part, "--steps", "20")).code());
        Run resumed = cli(trainArgs(part, "--steps", "30", "--resume", part.resolve("checkpoints/last.safetensors").toString()));
        assertEquals(0, resumed.code(), resumed.out());
        List<JsonObject> p = epochs(part.resolve("run.jsonl"));
        assertEquals(3, p.size());
        assertEquals(last, p.get(2).getAsJsonObject("metrics").get("val_loss").getAsDouble(), 1e-6);

        Run g = cli("generate", "--model", full.toString(), "--prompt", "the ", "--max-new-tokens", "12", "--temperature", "0");
        assertEquals(0, g.code(), g.out());
        String text = g.out().substring(0, g.out().length() - System.lineSeparator().length());
        assertTrue(text.startsWith("the ") && text.codePointCount(0, text.length()) == 16, "'" + text + "'");
    }

    @Test
    void bpeTokenizerIsSavedAsGpt2Files() throws Exception {
        corpus();
        Path out = tmp.resolve("bpe");
        Run r = cli(trainArgs(out, "--steps", "10", "--tokenizer", "bpe", "--vocab-size", "280"));
        assertEquals(0, r.code(), r.out());
        assertTrue(Files.exists(out.resolve("vocab.json")) && Files.exists(out.resolve("merges.txt")));
        Run g = cli("generate", "--model", out.toString(), "--prompt", "a dog", "--max-new-tokens", "5", "--seed", "3");
        assertEquals(0, g.code(), g.out());
        assertTrue(g.out().startsWith("a dog"), g.out());
    }

    @Test
    void badPromptsAndOptionsAreClearErrors() throws Exception {
        corpus();
        Path out = tmp.resolve("m");
        assertEquals(0, cli(trainArgs(out, "--steps", "10")).code());
        Run tooLong = cli("generate", "--model", out.toString(), "--prompt", "the cat sat on the mat and the dog");
        assertEquals(1, tooLong.code());
        assertTrue(tooLong.out().contains("--prompt") && tooLong.out().contains("context length of 16"), tooLong.out());
        Run unknown = cli("generate", "--model", out.toString(), "--prompt", "Zebra");
        assertEquals(1, unknown.code());
        assertTrue(unknown.out().contains("--prompt") && unknown.out().contains("'Z'"), unknown.out());
        Run badTopP = cli("generate", "--model", out.toString(), "--prompt", "the", "--top-p", "0");
        assertEquals(2, badTopP.code(), badTopP.out());
        assertTrue(badTopP.out().contains("--top-p must be in (0, 1]"), badTopP.out());
        Run badStop = cli("generate", "--model", out.toString(), "--prompt", "the", "--stop", "ab");
        assertEquals(2, badStop.code(), badStop.out());
        assertTrue(badStop.out().contains("--stop: 'ab' is 2 tokens"), badStop.out());
        Run noModel = cli("generate", "--model", tmp.resolve("nothing").toString(), "--prompt", "a");
        assertEquals(1, noModel.code());
        assertTrue(noModel.out().contains("--model") && noModel.out().contains("config.json"), noModel.out());
        // bad options: exit code 2, naming the option, before any data is read
        Run badTok = cli(trainArgs(tmp.resolve("x"), "--steps", "10", "--tokenizer", "words"));
        assertEquals(2, badTok.code(), badTok.out());
        assertTrue(badTok.out().contains("--tokenizer"), badTok.out());
        Run badHeads = cli("train", "--model", "gpt", "--width", "16", "--heads", "3", "--out", tmp.resolve("x").toString());
        assertEquals(2, badHeads.code(), badHeads.out());
        assertTrue(badHeads.out().contains("--width 16 must be a multiple of --heads 3"), badHeads.out());
        Run epochs = cli(trainArgs(tmp.resolve("x"), "--epochs", "2"));
        assertEquals(2, epochs.code(), epochs.out());
        assertTrue(epochs.out().contains("--epochs") && epochs.out().contains("--steps"), epochs.out());
        Run notGpt = cli("train", "--model", "mlp", "--tokenizer", "char");
        assertEquals(2, notGpt.code(), notGpt.out());
        assertTrue(notGpt.out().contains("--tokenizer applies to --model gpt only"), notGpt.out());
        assertTrue(Files.notExists(tmp.resolve("x")), "nothing was written for refused options");
        Run missing = cli("train", "--model", "gpt", "--data", tmp.resolve("absent.txt").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.out().contains("--data") && missing.out().contains("absent.txt"), missing.out());
    }
    @Test
    void trainsUnderAutocastAndGeneratesInBf16() throws Exception {
        corpus();
        Path out = tmp.resolve("bf16");
        Run r = cli(trainArgs(out, "--steps", "10", "--autocast", "bf16"));
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("under BFLOAT16 autocast (float32 master weights)"), r.out());
        Map<String, Tensor> saved = SafeTensors.read(out.resolve("model.safetensors"));
        for (var e : saved.entrySet()) assertEquals(DType.FLOAT32, e.getValue().dtype(), e.getKey() + ": the master weights are saved");

        // FLOAT16 autocast: the checkpoint carries the loss scaler
        Path f16 = tmp.resolve("f16");
        Run h = cli(trainArgs(f16, "--steps", "10", "--autocast", "f16"));
        assertEquals(0, h.code(), h.out());
        assertTrue(h.out().contains("FLOAT16 autocast") && h.out().contains("loss scaling"), h.out());
        assertTrue(SafeTensors.read(f16.resolve("checkpoints/last.safetensors")).containsKey("grad_scaler.scale"));

        // generation in BF16: --dtype bf16 on the float32 folder, and by default on a BF16 copy of it, choose the same
        // greedy tokens (the same rounded weights, the same BF16 arithmetic)
        Path copy = tmp.resolve("bf16-copy");
        Gpt2Checkpoint.save(Gpt2Checkpoint.load(out, DType.BFLOAT16), copy);
        Files.copy(out.resolve("chars.json"), copy.resolve("chars.json"));
        assertEquals(DType.BFLOAT16, SafeTensors.read(copy.resolve("model.safetensors")).get("transformer.wte.weight").dtype());
        Run a = cli("generate", "--model", out.toString(), "--prompt", "the ", "--max-new-tokens", "10", "--temperature", "0", "--dtype", "bf16");
        Run b = cli("generate", "--model", copy.toString(), "--prompt", "the ", "--max-new-tokens", "10", "--temperature", "0");
        assertEquals(0, a.code(), a.out());
        assertEquals(a.out(), b.out());
        Run c = cli("generate", "--model", copy.toString(), "--prompt", "the ", "--max-new-tokens", "10", "--temperature", "0", "--dtype", "f32");
        assertEquals(0, c.code(), c.out());
        assertTrue(c.out().startsWith("the "), c.out());

        // bad values: exit code 2, naming the option
        Run badDtype = cli("generate", "--model", out.toString(), "--prompt", "the", "--dtype", "int8");
        assertEquals(2, badDtype.code(), badDtype.out());
        assertTrue(badDtype.out().contains("--dtype must be bf16, f16 or f32"), badDtype.out());
        Run badAutocast = cli(trainArgs(tmp.resolve("x"), "--steps", "10", "--autocast", "f32"));
        assertEquals(2, badAutocast.code(), badAutocast.out());
        assertTrue(badAutocast.out().contains("--autocast must be bf16 or f16"), badAutocast.out());
        Run mlp = cli("train", "--model", "mlp", "--autocast", "int8", "--out", tmp.resolve("x").toString());
        assertEquals(2, mlp.code(), mlp.out());
        assertTrue(mlp.out().contains("--autocast must be bf16 or f16"), mlp.out());
        assertTrue(Files.notExists(tmp.resolve("x")), "nothing was written for refused options");
    }
}
