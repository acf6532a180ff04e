package dev.ember.cli;

import dev.ember.Device;
import dev.ember.train.GptRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of {@code ./ember train --model gpt} (a mixin of {@link TrainCommand}), and the run. The shared options
 * ({@code --batch-size}, {@code --lr}, {@code --device}, {@code --out}, {@code --seed}, {@code --data}) keep their
 * meaning; where the user leaves them out, the GPT's own defaults apply (batch 32, lr 3e-4, runs/gpt).
 */
public final class GptOptions {
    @Option(names = "--tokenizer", description = "gpt: char or bpe (default ${DEFAULT-VALUE}).", defaultValue = "char")
    String tokenizer;

    @Option(names = "--vocab-size", description = "gpt, bpe: ids of the byte-level BPE (default ${DEFAULT-VALUE}).", defaultValue = "512")
    int vocabSize;

    @Option(names = "--steps", description = "gpt: training steps (default ${DEFAULT-VALUE}).", defaultValue = "2000")
    int steps;

    @Option(names = "--eval-every", description = "gpt: steps between validations and checkpoints (default ${DEFAULT-VALUE}).", defaultValue = "200")
    int evalEvery;

    @Option(names = "--context", description = "gpt: context length in tokens (default ${DEFAULT-VALUE}).", defaultValue = "128")
    int context;

    @Option(names = "--layers", description = "gpt: transformer blocks (default ${DEFAULT-VALUE}).", defaultValue = "4")
    int layers;

    @Option(names = "--width", description = "gpt: embedding width (default ${DEFAULT-VALUE}).", defaultValue = "128")
    int width;

    @Option(names = "--heads", description = "gpt: attention heads (default ${DEFAULT-VALUE}).", defaultValue = "4")
    int heads;

    @Option(names = "--dropout", description = "gpt: dropout (default ${DEFAULT-VALUE}).", defaultValue = "0")
    double dropout;

    @Option(names = "--weight-decay", description = "gpt: AdamW weight decay (default ${DEFAULT-VALUE}).", defaultValue = "0.01")
    double weightDecay;

    @Option(names = "--val-windows", description = "gpt: validation windows, spread over the validation text (default ${DEFAULT-VALUE}).",
            defaultValue = "256")
    int valWindows;

    @Option(names = "--resume", description = "gpt: continue from this checkpoint (e.g. runs/gpt/checkpoints/last.safetensors).")
    Path resume;

    @Option(names = "--compare", description = "gpt: the side-by-side settings of benchmarks/torch_gpt.py (char, 300 steps, one validation "
            + "at the end), and time greedy generation.")
    boolean compare;

    @Option(names = "--json", description = "gpt: also write the results to this JSON file.")
    Path json;

    /** Runs {@code ./ember train --model gpt} with the shared options of {@code train}. */
    void run(TrainCommand t, CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--epochs"))
            throw new IllegalArgumentException("--epochs: a GPT trains for --steps (and validates every --eval-every steps)");
        int batch = parsed.hasMatchedOption("--batch-size") ? t.batchSize : 32;
        double lr = parsed.hasMatchedOption("--lr") ? t.lr : 3e-4;
        int stepCount = steps, every = evalEvery;
        String tok = tokenizer.toLowerCase(Locale.ROOT);
        if (compare) {
            stepCount = parsed.hasMatchedOption("--steps") ? steps : 300;
            every = stepCount;
            tok = "char";
        }
        Device dev = t.device.equals("auto") ? Device.best() : Device.parse(t.device);
        Path out = t.out != null ? t.out : Path.of("runs", "gpt");
        List<Path> files = t.data == null ? List.of() : t.data;
        var o = new GptRun.Options(files, tok, vocabSize, stepCount, every, batch, context, layers, width, heads, lr, weightDecay, dropout,
                t.seed, dev, out, resume, valWindows, "The ", compare ? 0 : 300, compare ? 5 : 0);
        GptRun.Result r = GptRun.run(o, System.out);
        System.out.printf("ember gpt: val_loss %.4f nats/token (perplexity %.2f) after %d steps, train %.0f tokens/s (steps 11-%d)%s%n",
                r.valLoss(), r.valPerplexity(), r.steps(), r.trainTokensPerSecond(), r.steps(),
                Double.isNaN(r.generationTokensPerSecond()) ? "" : String.format(", generation %.0f tokens/s (KV cache)", r.generationTokensPerSecond()));
        System.out.println("model:  " + r.modelDir() + " (config.json, model.safetensors, tokenizer; ./ember generate --model " + r.modelDir()
                + " --prompt ...)");
        System.out.println("log:    " + r.logPath());
        if (!r.sample().isEmpty()) System.out.println("sample (temperature 0.8, top-k 40):\n" + r.sample());
        if (json != null) writeJson(r);
    }

    private void writeJson(GptRun.Result r) {
        var o = new com.google.gson.JsonObject();
        o.addProperty("val_loss", r.valLoss());
        o.addProperty("val_perplexity", r.valPerplexity());
        o.addProperty("train_tokens_per_s", r.trainTokensPerSecond());
        o.addProperty("gen_tokens_per_s", r.generationTokensPerSecond());
        o.addProperty("steps", r.steps());
        o.addProperty("corpus", r.corpusSource());
        o.addProperty("vocab", r.vocabSize());
        o.addProperty("parameters", r.parameters());
        try {
            Files.writeString(json, new com.google.gson.GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o));
        } catch (IOException e) {
            throw new UncheckedIOException("--json: " + json + ": " + e.getMessage(), e);
        }
    }
}
