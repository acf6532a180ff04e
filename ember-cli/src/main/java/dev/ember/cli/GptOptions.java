package dev.ember.cli;

import dev.ember.DType;
import dev.ember.Device;
import dev.ember.train.GptRun;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of {@code ./ember train --model gpt} (a mixin of {@link TrainCommand}), and the run. The shared options
 * ({@code --batch-size}, {@code --lr}, {@code --device}, {@code --out}, {@code --seed}, {@code --data},
 * {@code --resume}) keep their meaning; where the user leaves them out, the GPT's own defaults apply (batch 32,
 * lr 3e-4, runs/gpt). The options here are refused for the other models.
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

    @Option(names = "--compare", description = "gpt: the side-by-side settings of benchmarks/torch_gpt.py (char, 300 steps, one validation "
            + "at the end), and time greedy generation.")
    boolean compare;

    @Option(names = "--json", description = "gpt: also write the results to this JSON file.")
    Path json;

    @Option(names = "--autocast", paramLabel = "bf16|f16", description = "Train under mixed precision: products in bfloat16 or float16, "
            + "reductions, norms and the loss in float32, float32 master weights (f16 adds dynamic loss scaling).")
    String autocast;

    /** {@code --autocast} as a dtype (null when absent), refused with exit code 2 when it is neither bf16 nor f16. */
    DType autocastDType(TrainCommand t) {
        return autocast == null ? null : switch (autocast.toLowerCase(Locale.ROOT)) {
            case "bf16", "bfloat16" -> DType.BFLOAT16;
            case "f16", "fp16", "float16" -> DType.FLOAT16;
            default -> throw t.bad("--autocast must be bf16 or f16, got '" + autocast + "' (leave it out to train in float32)");
        };
    }

    /** The options above, by name: they mean nothing to the Fashion-MNIST models. */
    private static final List<String> GPT_ONLY = List.of("--tokenizer", "--vocab-size", "--steps", "--eval-every", "--context",
            "--layers", "--width", "--heads", "--dropout", "--weight-decay", "--val-windows", "--compare", "--json");

    /** Refuses the GPT's options on a run of another model. */
    static void refuseOutsideGpt(TrainCommand t, CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        for (String name : GPT_ONLY)
            if (parsed.hasMatchedOption(name)) throw t.bad(name + " applies to --model gpt only (this run trains " + t.model + ")");
    }

    /** Runs {@code ./ember train --model gpt} with the shared options of {@code train}. */
    void run(TrainCommand t, CommandSpec spec) {
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--epochs")) throw t.bad("--epochs: a GPT trains for --steps (and validates every --eval-every steps)");
        for (String name : List.of("--patience", "--download", "--train-limit", "--on-nonfinite"))
            if (parsed.hasMatchedOption(name)) throw t.bad(name + " applies to --model mlp and cnn only");
        int batch = parsed.hasMatchedOption("--batch-size") ? t.batchSize : 32;
        double lr = parsed.hasMatchedOption("--lr") ? t.lr : 3e-4;
        if (batch < 1) throw t.bad("--batch-size must be at least 1, got " + batch);
        if (!(lr >= 0 && lr < Double.POSITIVE_INFINITY)) throw t.bad("--lr must be a finite number >= 0, got " + lr);
        positive(t, "--steps", steps);
        positive(t, "--eval-every", evalEvery);
        positive(t, "--context", context);
        positive(t, "--layers", layers);
        positive(t, "--width", width);
        positive(t, "--heads", heads);
        positive(t, "--val-windows", valWindows);
        if (vocabSize < 256) throw t.bad("--vocab-size must be at least 256 (the byte ids), got " + vocabSize);
        if (width % heads != 0) throw t.bad("--width " + width + " must be a multiple of --heads " + heads);
        if (!(dropout >= 0 && dropout < 1)) throw t.bad("--dropout must be in [0, 1), got " + dropout);
        if (t.resume != null && !Files.isRegularFile(t.resume)) throw t.bad("--resume: no such file: " + t.resume);
        int stepCount = steps, every = evalEvery;
        String tok = tokenizer.toLowerCase(Locale.ROOT);
        if (compare) {
            stepCount = parsed.hasMatchedOption("--steps") ? steps : 300;
            every = stepCount;
            tok = "char";
        }
        if (!tok.equals("char") && !tok.equals("bpe")) throw t.bad("--tokenizer must be char or bpe, got '" + tokenizer + "'");
        DType mixed = autocastDType(t);
        Device dev = TrainCommand.device(spec, t.device);
        Path out = t.out != null ? t.out : Path.of("runs", "gpt");
        if (Files.exists(out) && !Files.isDirectory(out)) throw t.bad("--out: " + out + " is a file, not a directory");
        List<Path> files = t.data == null ? List.of() : t.data;
        var o = new GptRun.Options(files, tok, vocabSize, stepCount, every, batch, context, layers, width, heads, lr, weightDecay, dropout,
                t.seed, dev, out, t.resume, valWindows, "The ", compare ? 0 : 300, compare ? 5 : 0, mixed);
        GptRun.Result r = GptRun.run(o, System.out);
        System.out.printf("ember gpt: val_loss %.4f nats/token (perplexity %.2f) after %d steps, train %.0f tokens/s (steps 11-%d)%s%n",
                r.valLoss(), r.valPerplexity(), r.steps(), r.trainTokensPerSecond(), r.steps(),
                Double.isNaN(r.generationTokensPerSecond()) ? "" : String.format(", generation %.0f tokens/s (KV cache)", r.generationTokensPerSecond()));
        System.out.println("model:  " + r.modelDir() + " (config.json, model.safetensors, tokenizer; ./ember generate --model " + r.modelDir()
                + " --prompt ...)");
        System.out.println("log:    " + r.logPath());
        if (!r.sample().isEmpty()) System.out.println("sample (temperature 0.8, top-k 40):\n" + r.sample());
        if (json != null) {
            try {
                r.writeJson(json);
            } catch (UncheckedIOException e) {
                throw new UncheckedIOException("--json: " + e.getMessage(), e.getCause());
            }
        }
    }

    private static void positive(TrainCommand t, String name, int value) {
        if (value < 1) throw t.bad(name + " must be at least 1, got " + value);
    }
}
