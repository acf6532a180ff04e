package dev.ember.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.ember.DType;
import dev.ember.Device;
import dev.ember.Ember;
import dev.ember.data.DataLoader;
import dev.ember.data.text.ByteBpeTokenizer;
import dev.ember.data.text.CharEncoder;
import dev.ember.data.text.Gpt2Tokenizer;
import dev.ember.data.text.TextCorpus;
import dev.ember.data.text.TokenEncoder;
import dev.ember.data.text.TokenWindows;
import dev.ember.metrics.Perplexity;
import dev.ember.nn.Loss;
import dev.ember.nn.functional.F;
import dev.ember.nn.lm.GPT;
import dev.ember.nn.lm.GPTConfig;
import dev.ember.nn.lm.Generation;
import dev.ember.nn.lm.GenerationConfig;
import dev.ember.nn.lm.Gpt2Checkpoint;
import dev.ember.optim.AdamW;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a character- or BPE-level {@link GPT} on a text corpus, as {@code ./ember train --model gpt} does: the
 * corpus (Debian's fortunes by default, see {@link TextCorpus}), a tokenizer fitted to it, random training windows,
 * AdamW, and the {@link Trainer} with validation loss and perplexity after every {@code evalEvery} steps, a
 * checkpoint after each evaluation, a run log, and resume. The output folder holds the model in GPT-2's Hugging Face
 * layout ({@code config.json}, {@code model.safetensors}) and its tokenizer, which {@code ./ember generate} reads.
 */
public final class GptRun {
    private GptRun() {}

    /**
     * What a run needs. {@code files} empty means the fortunes corpus; {@code tokenizer} is {@code "char"} or
     * {@code "bpe"} (with {@code bpeVocab} ids); {@code steps} are rounded up to whole evaluations; {@code resume} is a
     * checkpoint file or null; {@code generationRounds} > 0 also times greedy generation (the peer comparison);
     * {@code autocast} (FLOAT16 or BFLOAT16; null: float32 throughout) trains and validates under {@link Ember#autocast}
     * with float32 master weights (see {@link Trainer.Builder#autocast}).
     */
    public record Options(List<Path> files, String tokenizer, int bpeVocab, int steps, int evalEvery, int batchSize, int context,
                          int layers, int width, int heads, double lr, double weightDecay, double dropout, long seed, Device device,
                          Path outDir, Path resume, int valWindows, String samplePrompt, int sampleTokens, int generationRounds,
                          DType autocast) {

        /** A float32 run (no autocast). */
        public Options(List<Path> files, String tokenizer, int bpeVocab, int steps, int evalEvery, int batchSize, int context,
                       int layers, int width, int heads, double lr, double weightDecay, double dropout, long seed, Device device,
                       Path outDir, Path resume, int valWindows, String samplePrompt, int sampleTokens, int generationRounds) {
            this(files, tokenizer, bpeVocab, steps, evalEvery, batchSize, context, layers, width, heads, lr, weightDecay, dropout, seed, device,
                    outDir, resume, valWindows, samplePrompt, sampleTokens, generationRounds, null);
        }
    }

    /**
     * What a run produced: the last validation loss (nats per token) and perplexity, training tokens/s (from step 10 of
     * the run log to its last step, so the JIT's warm-up is left out, as the peer script does), greedy generation
     * tokens/s with the KV cache (NaN unless timed), the sample text, and where things went.
     */
    public record Result(double valLoss, double valPerplexity, double trainTokensPerSecond, double generationTokensPerSecond, long steps,
                         String corpusSource, int vocabSize, long parameters, String sample, Path modelDir, Path logPath) {

        /** The figures as JSON (the keys of benchmarks/torch_gpt.py's {@code --json}, so one report reads both). */
        public void writeJson(Path file) {
            JsonObject o = new JsonObject();
            o.addProperty("val_loss", valLoss);
            o.addProperty("val_perplexity", valPerplexity);
            o.addProperty("train_tokens_per_s", trainTokensPerSecond);
            o.addProperty("gen_tokens_per_s", generationTokensPerSecond);
            o.addProperty("steps", steps);
            o.addProperty("corpus", corpusSource);
            o.addProperty("vocab", vocabSize);
            o.addProperty("parameters", parameters);
            try {
                Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(o));
            } catch (IOException e) {
                throw new UncheckedIOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Runs the whole job, printing progress to {@code out}. */
    public static Result run(Options o, PrintStream out) {
        if (!o.tokenizer().equals("char") && !o.tokenizer().equals("bpe"))
            throw new IllegalArgumentException("--tokenizer must be char or bpe, got '" + o.tokenizer() + "'");
        if (o.steps() <= 0 || o.evalEvery() <= 0) throw new IllegalArgumentException("--steps and --eval-every must be positive");
        Ember.manualSeed(o.seed());
        TextCorpus corpus = o.files().isEmpty() ? TextCorpus.fortunes() : TextCorpus.load(o.files());
        out.printf("corpus: %s: %,d records, %,d training / %,d validation characters%n", corpus.source(), corpus.records(),
                corpus.train().length(), corpus.validation().length());
        Path dir = o.outDir();
        GPTConfig config;
        TokenEncoder encoder;
        if (o.resume() != null) {
            // the run's own config and tokenizer, so the checkpoint's shapes and ids mean what they meant
            config = Gpt2Checkpoint.readConfig(dir.resolve("config.json"));
            encoder = TokenEncoder.load(dir);
            out.println("resume: " + o.resume() + " (model and tokenizer from " + dir + "; model-shape options are ignored)");
        } else {
            encoder = tokenizer(o, corpus, out);
            config = GPTConfig.builder(encoder.vocabSize()).contextLength(o.context()).layers(o.layers()).width(o.width()).heads(o.heads())
                    .dropout(o.dropout()).build();
            saveTokenizer(encoder, dir);
            Gpt2Checkpoint.writeConfig(config, dir.resolve("config.json"));
        }
        int[] trainIds = encoder.encode(corpus.train()), valIds = encoder.encode(corpus.validation());
        GPT model = new GPT(config);
        model.to(o.device());
        out.printf("model: GPT, %d layers, width %d, %d heads, context %d, vocabulary %d (%s), %,d parameters, on %s%n", config.layers(),
                config.width(), config.heads(), config.contextLength(), config.vocabSize(), o.tokenizer(), model.parameterCount(), o.device());
        int epochs = (o.steps() + o.evalEvery() - 1) / o.evalEvery();
        out.printf("training: AdamW lr %g, weight decay %g, batch %d x %d tokens, %d steps, validation every %d steps on %d windows%s%n",
                o.lr(), o.weightDecay(), o.batchSize(), config.contextLength(), epochs * o.evalEvery(), o.evalEvery(), o.valWindows(),
                o.autocast() == null ? "" : ", under " + o.autocast() + " autocast (float32 master weights"
                        + (o.autocast() == DType.FLOAT16 ? ", dynamic loss scaling)" : ")"));

        AdamW opt = AdamW.builder(o.lr()).weightDecay(o.weightDecay()).buildW(model.parameters());
        TokenWindows windows = TokenWindows.random(trainIds, config.contextLength(), o.evalEvery() * o.batchSize(), o.seed());
        DataLoader trainLoader = DataLoader.builder(windows).batchSize(o.batchSize()).seed(o.seed()).build();
        DataLoader valLoader = DataLoader.builder(TokenWindows.evenlySpaced(valIds, config.contextLength(), o.valWindows()))
                .batchSize(o.batchSize()).build();
        int vocab = config.vocabSize();
        Loss loss = (logits, targets) -> F.crossEntropy(logits.reshape(-1, vocab), targets.reshape(-1));
        Path log = dir.resolve("run.jsonl");
        if (o.resume() == null) deleteIfExists(log);
        Trainer.Builder builder = Trainer.builder(model, loss, opt, trainLoader);
        if (o.autocast() != null) builder.autocast(o.autocast());
        Trainer trainer = builder
                .validation(valLoader)
                .metric(new Perplexity())
                .callback(new Checkpoint(dir.resolve("checkpoints"), 1, "val_loss", Mode.MIN))
                .log(log, 10)
                .output(out, ProgressBar.isTerminal())
                .build();
        if (o.resume() != null) trainer.resume(o.resume()); // the loader's epochs, and so the windows, continue
        List<EpochResult> history = trainer.fit(epochs);
        EpochResult last = history.getLast();
        Gpt2Checkpoint.save(model, dir);
        double tokensPerSecond = steadyTokensPerSecond(log, o.batchSize() * (long) config.contextLength());

        double genTps = Double.NaN;
        if (o.generationRounds() > 0) genTps = timeGeneration(model, encoder, o.generationRounds());
        String sample = "";
        if (o.sampleTokens() > 0) {
            String prompt = encodable(encoder, o.samplePrompt()) ? o.samplePrompt()
                    : corpus.validation().substring(0, corpus.validation().offsetByCodePoints(0, Math.min(4, corpus.validation().codePointCount(0,
                    corpus.validation().length()))));
            GenerationConfig g = GenerationConfig.builder().maxNewTokens(o.sampleTokens()).temperature(0.8).topK(40).seed(o.seed()).build();
            sample = prompt + encoder.decode(Generation.generate(model, encoder.encode(prompt), g, null));
        }
        return new Result(last.value("val_loss"), last.value("val_perplexity"), tokensPerSecond, genTps, last.globalStep(), corpus.source(),
                vocab, model.parameterCount(), sample, dir, log);
    }

    private static boolean encodable(TokenEncoder encoder, String text) {
        try {
            return encoder.encode(text).length > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static TokenEncoder tokenizer(Options o, TextCorpus corpus, PrintStream out) {
        if (o.tokenizer().equals("char")) return CharEncoder.fit(corpus.train(), corpus.validation());
        long t0 = System.nanoTime();
        ByteBpeTokenizer bpe = ByteBpeTokenizer.train(List.of(corpus.train()), o.bpeVocab());
        out.printf("tokenizer: byte-level BPE with %d ids learned from the training text in %.1f s%n", bpe.vocabSize(), (System.nanoTime() - t0) / 1e9);
        return Gpt2Tokenizer.fromByteBpe(bpe);
    }

    private static void saveTokenizer(TokenEncoder encoder, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("--out: cannot create " + dir + ": " + e.getMessage(), e);
        }
        if (encoder instanceof CharEncoder c) c.save(dir.resolve("chars.json"));
        else ((Gpt2Tokenizer) encoder).save(dir);
    }

    private static void deleteIfExists(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": " + e.getMessage(), e);
        }
    }

    /**
     * Training tokens/s from the run log's step records after step 10: the time between consecutive records of one
     * epoch (so validation passes between epochs do not count) over the steps they span.
     */
    static double steadyTokensPerSecond(Path log, long tokensPerStep) {
        double secs = 0;
        long steps = 0;
        JsonObject prev = null;
        for (JsonObject r : RunLog.read(log)) {
            if (!r.get("type").getAsString().equals("step") || r.get("step").getAsLong() < 10) continue;
            if (prev != null && r.get("epoch").getAsInt() == prev.get("epoch").getAsInt()) {
                secs += r.get("elapsed").getAsDouble() - prev.get("elapsed").getAsDouble();
                steps += r.get("step").getAsLong() - prev.get("step").getAsLong();
            }
            prev = r;
        }
        return steps == 0 ? Double.NaN : steps * tokensPerStep / secs;
    }

    /**
     * Greedy generation with the KV cache from a 16-character prompt until the context is full, {@code rounds} times
     * after one untimed round (as the peer script): tokens/s.
     */
    static double timeGeneration(GPT model, TokenEncoder encoder, int rounds) {
        int[] prompt = encoder.encode("The meaning of l");
        int room = model.config().contextLength() - prompt.length + 1;
        GenerationConfig g = GenerationConfig.builder().maxNewTokens(room).build();
        Generation.generate(model, prompt, g, null);
        long tokens = 0, t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) tokens += Generation.generate(model, prompt, g, null).length;
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }
}
